import type { Socket } from 'node:net';

/** The other side of a proxied pair: paused while this side's socket cannot take more bytes. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Up to this many queued bytes are joined into one buffer; beyond it they go out corked (writev). */
const JOIN_LIMIT = 16 * 1024;

/**
 * Collects what a connection writes during one event-loop turn and hands it to the socket in one
 * write on `process.nextTick`, so a turn that forwards a run and then adds an ErrorResponse and a
 * ReadyForQuery still costs one syscall. Buffers are queued as given, not copied: a forwarded view
 * stays valid because socket chunks are never reused by their producers, and the socket would hold
 * the same reference anyway.
 *
 * Backpressure: when the socket's buffer passes its high-water mark, the peer (the socket feeding
 * this one) is paused until 'drain'. The peer can change while paused (a server handed back to the
 * pool); the old one is resumed and the new one paused.
 */
export class SocketWriter {
  private readonly socket: Socket;
  private readonly parts: Buffer[];
  private queuedBytes: number;
  private scheduled: boolean;
  private peer: Pausable | null;
  private peerPaused: boolean;
  private readonly flushTick: () => void;
  /** Number of socket writes issued: for tests and stats. */
  writes: number;

  constructor(socket: Socket) {
    this.socket = socket;
    this.parts = [];
    this.queuedBytes = 0;
    this.scheduled = false;
    this.peer = null;
    this.peerPaused = false;
    this.writes = 0;
    this.flushTick = () => this.flush();
    socket.on('drain', () => this.resumePeer());
  }

  /** Queues bytes for this turn's write. The buffer must not be modified afterwards. */
  write(buf: Buffer): void {
    if (buf.length === 0) return;
    this.parts.push(buf);
    this.queuedBytes += buf.length;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushTick);
    }
  }

  /** Bytes queued for the current turn. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** True while the socket holds more than its high-water mark. */
  get full(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Writes everything queued now (also called by the scheduled tick). */
  flush(): void {
    this.scheduled = false;
    const parts = this.parts;
    const count = parts.length;
    if (count === 0) return;
    const socket = this.socket;
    const total = this.queuedBytes;
    this.queuedBytes = 0;
    if (!socket.writable) {
      parts.length = 0;
      return;
    }
    let ok: boolean;
    if (count === 1) {
      ok = socket.write(parts[0]);
    } else if (total <= JOIN_LIMIT) {
      // Small frames (a login's ParameterStatus list, an error plus ReadyForQuery): one copy is
      // cheaper than writev's per-buffer bookkeeping.
      ok = socket.write(Buffer.concat(parts, total));
    } else {
      socket.cork();
      for (let i = 0; i < count; i++) socket.write(parts[i]);
      socket.uncork();
      ok = !socket.writableNeedDrain;
    }
    parts.length = 0;
    this.writes++;
    if (!ok) this.pausePeer();
  }

  /** Sets whose reading is paused while this socket is full; resumes the previous one. */
  setPeer(peer: Pausable | null): void {
    if (peer === this.peer) return;
    if (this.peerPaused && this.peer !== null) this.peer.resume();
    this.peerPaused = false;
    this.peer = peer;
    if (peer !== null && this.socket.writableNeedDrain) this.pausePeer();
  }

  /** Flushes what is queued, then half-closes the socket. */
  end(): void {
    this.flush();
    this.setPeer(null);
    if (!this.socket.destroyed) this.socket.end();
  }

  private pausePeer(): void {
    if (this.peerPaused || this.peer === null) return;
    this.peerPaused = true;
    this.peer.pause();
  }

  private resumePeer(): void {
    if (!this.peerPaused) return;
    this.peerPaused = false;
    if (this.peer !== null) this.peer.resume();
  }
}

const writers = new WeakMap<Socket, SocketWriter>();

/**
 * The one writer of a socket that several owners use in turn (a pooled server connection passed
 * from session to session): one 'drain' listener, one queue, whoever writes.
 */
export function socketWriterFor(socket: Socket): SocketWriter {
  let writer = writers.get(socket);
  if (writer === undefined) {
    writer = new SocketWriter(socket);
    writers.set(socket, writer);
  }
  return writer;
}
