// Test support: a ServerSink that records what a server sends, and a helper that runs one simple
// query over an attached server connection the way a client session would.

import net from 'node:net';
import { BackendCode } from '../../src/protocol/codes.js';
import { readErrorFields, type ServerErrorFields } from '../../src/protocol/backend/error-response.js';
import { readDataRow } from '../../src/protocol/backend/data-row.js';
import { queryMessage } from '../../src/backend/internal-query.js';
import type { ServerConnection, ServerSink } from '../../src/backend/server-connection.js';
import type { ServerError } from '../../src/backend/server-error.js';

export interface QueryOutcome {
  rows: (string | null)[][];
  errors: ServerErrorFields[];
  /** ReadyForQuery status letter. */
  status: string;
}

export class CollectingSink implements ServerSink {
  readonly codes: number[] = [];
  readonly runs: Buffer[] = [];
  rows: (string | null)[][] = [];
  errors: ServerErrorFields[] = [];
  closed: ServerError | null = null;
  drains = 0;
  /** Called at each ReadyForQuery, inside onServerMessage. */
  onReady: ((status: string) => void) | null = null;
  private pending: { resolve: (o: QueryOutcome) => void; reject: (e: Error) => void } | null = null;
  private closedWaiters: ((e: ServerError) => void)[] = [];

  onServerMessage(code: number, buf: Buffer, start: number, end: number): void {
    this.codes.push(code);
    if (code === BackendCode.DataRow) this.rows.push(readDataRow(buf, start, end).map((v) => (v === null ? null : v.toString())));
    else if (code === BackendCode.ErrorResponse) this.errors.push(readErrorFields(buf, start, end));
    else if (code === BackendCode.ReadyForQuery) {
      const status = String.fromCharCode(buf[start + 5]);
      this.onReady?.(status);
      const p = this.pending;
      this.pending = null;
      const outcome = { rows: this.rows, errors: this.errors, status };
      this.rows = [];
      this.errors = [];
      p?.resolve(outcome);
    }
  }

  onServerRun(buf: Buffer, start: number, end: number): void {
    this.runs.push(Buffer.from(buf.subarray(start, end)));
  }

  onServerDrain(): void {
    this.drains++;
  }

  onServerClosed(err: ServerError): void {
    this.closed = err;
    this.pending?.reject(err);
    this.pending = null;
    for (const w of this.closedWaiters.splice(0)) w(err);
  }

  /** The outcome at the next ReadyForQuery. */
  next(): Promise<QueryOutcome> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
    });
  }

  whenClosed(): Promise<ServerError> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  /** Every byte forwarded so far, as one buffer. */
  forwarded(): Buffer {
    return Buffer.concat(this.runs);
  }
}

/** Attaches, sends one simple Query, waits for ReadyForQuery, detaches. */
export async function simpleQuery(conn: ServerConnection, sql: string): Promise<QueryOutcome> {
  const sink = new CollectingSink();
  conn.attach(sink);
  try {
    const done = sink.next();
    conn.write(queryMessage(sql));
    return await done;
  } finally {
    conn.detach();
  }
}

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP server that accepts and records what arrives but never answers. */
export async function silentServer(): Promise<{ port: number; received: Buffer[]; close(): Promise<void> }> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d) => received.push(d));
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}
