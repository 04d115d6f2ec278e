import type { Socket } from 'node:net';
import { directHandle, lastWriteWasAsync, newWriteReq, writeError, type StreamHandle, type WriteReq } from './stream-handle.js';
import { enqueueForTurn, inTurn, notePinned, turnMemoryReused, type TurnWriter } from './write-turn.js';

/** The other side of a proxied pair: paused while this side's socket cannot take more bytes. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Up to this many queued bytes are joined into one buffer; beyond it they go out as one writev. */
const JOIN_LIMIT = 16 * 1024;

/**
 * Collects what a connection writes during one turn and hands it to the socket in one write: at
 * the end of the read callback that queued it (see write-turn.ts), else on `process.nextTick`. So
 * a turn that forwards a run and then adds an ErrorResponse and a ReadyForQuery still costs one
 * syscall. Buffers are queued as given, not copied; inside a turn whose reader reuses its buffer,
 * a socket that is not written directly gets a copy.
 *
 * Plain TCP sockets are written through their libuv handle (stream-handle.ts), past Node's
 * Writable; TLS sockets, and any socket whose stream still holds bytes of its own (a login's
 * writes), go through socket.write.
 *
 * Backpressure: when more than the socket's high-water mark is waiting, the peer (the socket
 * feeding this one) is paused until everything is written. The peer can change while paused (a
 * server handed back to the pool); the old one is resumed and the new one paused.
 */
export class SocketWriter implements TurnWriter {
  private readonly socket: Socket;
  /** Queued buffers in parts[0, count); a count rather than length, which V8 sets slowly. */
  private readonly parts: (Buffer | null)[];
  private count: number;
  private queuedBytes: number;
  /** A flush is due: queued in the current turn, or on a tick. */
  private scheduled: boolean;
  private queuedInTurn: boolean;
  private peer: Pausable | null;
  private peerPaused: boolean;
  private readonly flushTick: () => void;
  /** TLS and other non-TCP sockets: never written directly, so turn memory is copied for them. */
  private readonly streamOnly: boolean;
  /** A request object for direct writes, reused while writes complete synchronously. */
  private req: WriteReq | null;
  /** Direct writes still pending in libuv. */
  private pendingWrites: number;
  /** Number of socket writes issued: for tests and stats. */
  writes: number;

  constructor(socket: Socket) {
    this.socket = socket;
    this.parts = [];
    this.count = 0;
    this.queuedBytes = 0;
    this.scheduled = false;
    this.queuedInTurn = false;
    this.peer = null;
    this.peerPaused = false;
    this.writes = 0;
    this.streamOnly = directHandle(socket) === null;
    this.req = null;
    this.pendingWrites = 0;
    this.flushTick = () => this.flush();
    socket.on('drain', () => {
      if (this.pendingWrites === 0) this.resumePeer();
    });
  }

  /** Queues bytes for this turn's write. The buffer must not be modified afterwards. */
  write(buf: Buffer): void {
    if (buf.length === 0) return;
    const part = this.streamOnly && turnMemoryReused() ? Buffer.from(buf) : buf;
    if (this.count === this.parts.length) this.parts.push(part);
    else this.parts[this.count] = part;
    this.count++;
    this.queuedBytes += buf.length;
    if (!this.queuedInTurn && inTurn()) {
      // Also when a tick is already due: the turn's reader must learn whether this write pins it.
      this.scheduled = true;
      this.queuedInTurn = true;
      enqueueForTurn(this);
    } else if (!this.scheduled) {
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
    return (this.pendingWrites !== 0 && this.directBacklog() >= this.socket.writableHighWaterMark) || this.socket.writableNeedDrain;
  }

  /** Writes everything queued now (also called by the scheduled tick). */
  flush(): void {
    if (this.flushTurn()) notePinned();
  }

  /** As flush(); true when a direct write went async while referencing a queued buffer. */
  flushTurn(): boolean {
    this.scheduled = false;
    this.queuedInTurn = false;
    const count = this.count;
    if (count === 0) return false;
    const socket = this.socket;
    const total = this.queuedBytes;
    this.queuedBytes = 0;
    if (!socket.writable) {
      this.clear();
      return false;
    }
    this.writes++;
    // Bytes the stream still holds (startup, a pool's own statement) must go out first.
    const handle = socket.writableLength === 0 ? directHandle(socket) : null;
    if (handle !== null) return this.writeDirect(handle, count, total);
    this.writeStream(count, total);
    // A stream that keeps the buffers (async write) keeps turn memory: the reader must not reuse
    // it. Stream-only sockets were given copies.
    return !this.streamOnly && socket.writableLength !== 0;
  }

  /** Sets whose reading is paused while this socket is full; resumes the previous one. */
  setPeer(peer: Pausable | null): void {
    if (peer === this.peer) return;
    if (this.peerPaused && this.peer !== null) this.peer.resume();
    this.peerPaused = false;
    this.peer = peer;
    if (peer !== null && this.full) this.pausePeer();
  }

  /** Flushes what is queued, then half-closes the socket (after pending writes). */
  end(): void {
    this.flush();
    this.setPeer(null);
    if (!this.socket.destroyed) this.socket.end();
  }

  private writeStream(count: number, total: number): void {
    const socket = this.socket;
    const parts = this.parts;
    let ok: boolean;
    if (count === 1) {
      ok = socket.write(parts[0] as Buffer);
    } else if (total <= JOIN_LIMIT) {
      // Small frames (a login's ParameterStatus list, an error plus ReadyForQuery): one copy is
      // cheaper than writev's per-buffer bookkeeping.
      ok = socket.write(this.joined(count, total));
    } else {
      socket.cork();
      for (let i = 0; i < count; i++) socket.write(parts[i] as Buffer);
      socket.uncork();
      ok = !socket.writableNeedDrain;
    }
    this.clear();
    if (!ok) this.pausePeer();
  }

  private writeDirect(handle: StreamHandle, count: number, total: number): boolean {
    const req = this.req ?? newWriteReq();
    let kept: Buffer | Buffer[];
    let err: number;
    let referencesQueued = true;
    if (count === 1) {
      kept = this.parts[0] as Buffer;
      err = handle.writeBuffer(req, kept);
    } else if (total <= JOIN_LIMIT) {
      kept = this.joined(count, total);
      referencesQueued = false;
      err = handle.writeBuffer(req, kept);
    } else {
      kept = this.parts.slice(0, count) as Buffer[];
      err = handle.writev(req, kept, true);
    }
    this.clear();
    if (err !== 0) {
      this.req = req;
      // As net.Socket does with a failed write: the socket is destroyed with the error.
      this.socket.destroy(writeError(err));
      return false;
    }
    if (!lastWriteWasAsync()) {
      this.req = req;
      return false;
    }
    // libuv keeps the memory until it is written; the request object is in use until then.
    this.req = null;
    req.buffer = kept;
    req.owner = this;
    req.oncomplete = onDirectWriteComplete;
    this.pendingWrites++;
    if (handle.writeQueueSize >= this.socket.writableHighWaterMark) this.pausePeer();
    return referencesQueued;
  }

  /** @internal From the completion of an async direct write. */
  afterDirectWrite(status: number): void {
    this.pendingWrites--;
    const socket = this.socket;
    if (status < 0) {
      if (!socket.destroyed) socket.destroy(writeError(status));
      return;
    }
    if (this.pendingWrites === 0 && !socket.writableNeedDrain) this.resumePeer();
  }

  /** The queued buffers copied into one. */
  private joined(count: number, total: number): Buffer {
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const part = this.parts[i] as Buffer;
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Drops the queued buffers (their memory may belong to a reader). */
  private clear(): void {
    const parts = this.parts;
    for (let i = 0; i < this.count; i++) parts[i] = null;
    this.count = 0;
  }

  private directBacklog(): number {
    const handle = directHandle(this.socket);
    return handle === null ? 0 : handle.writeQueueSize;
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

function onDirectWriteComplete(this: WriteReq, status: number): void {
  const writer = this.owner as SocketWriter;
  this.buffer = null;
  this.owner = null;
  writer.afterDirectWrite(status);
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
