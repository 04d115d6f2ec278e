// What a client session implements to receive a server's output while it holds the server.

import type { ServerError } from './server-error.js';

/**
 * Receives a server's output while attached. Views are valid only during the call. A run is
 * delivered to the sink that was attached when its first frame was dispatched, so a sink may
 * detach (release the server) from inside onServerMessage at ReadyForQuery and still receive the
 * run holding that ReadyForQuery.
 */
export interface ServerSink {
  /** Each frame, before the run it belongs to; look at the code (ReadyForQuery status etc.). */
  onServerMessage(code: number, buf: Buffer, start: number, end: number): void;
  /** Contiguous frames to forward as they are. */
  onServerRun(buf: Buffer, start: number, end: number): void;
  /** The server socket's write buffer drained after write() returned false. */
  onServerDrain(): void;
  /** The connection is gone; no further calls follow. */
  onServerClosed(err: ServerError): void;
}
