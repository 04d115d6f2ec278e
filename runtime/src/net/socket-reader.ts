import type { OnReadOpts, Socket } from 'node:net';
import { directHandle, lastReadOffset, lastReadResult, type StreamHandle } from './stream-handle.js';
import { beginTurn, endTurn } from './write-turn.js';

/**
 * Receives each chunk read. A chunk of a reused buffer is valid only during the call: whoever
 * keeps part of it (a framer's partial frame: FramerOptions.reusedChunks) must copy it.
 */
export type ChunkConsumer = (chunk: Buffer) => void;

/**
 * A Buffer over part of an ArrayBuffer, made without Buffer.prototype.subarray's argument handling
 * (a view per read is the one allocation left on the read path).
 */
class ReadView extends Uint8Array {}
Object.setPrototypeOf(ReadView.prototype, Buffer.prototype);

/** Largest read buffer a reader uses (Node allocates 64 KiB per read otherwise). */
export const READ_BUFFER_SIZE = 32 * 1024;

/**
 * A start size for sockets that are many and mostly idle (clients): a slice of Node's shared buffer
 * pool. A read that fills the buffer makes the next one four times larger, up to READ_BUFFER_SIZE.
 */
export const SMALL_READ_BUFFER_SIZE = 2048;

export interface SocketReaderOptions {
  /** Size of the first read buffer. Default READ_BUFFER_SIZE. */
  readonly bufferSize?: number;
  /**
   * `adopt` only: reads that get memory of their own, as with 'data', before the reader's buffer is
   * set up. A socket that stays quiet (an idle client) then holds no buffer. Default 0.
   */
  readsBeforeBuffer?: number;
  /**
   * `onread` sockets: after this many reads the reader takes the handle's read callback over from
   * Node's stream layer, as `adopt` does (see READS_BEFORE_TAKEOVER). 0: never.
   */
  readsBeforeTakeover?: number;
}

/**
 * A net.connect socket's first reads (a server's SSLRequest answer and login) go through Node's
 * own read callback, so a TLS upgrade that takes the handle over first is never disturbed; the
 * forwarding reads after them skip that layer (its per-read bookkeeping is about 1 % of the proxy's
 * CPU). Socket pause() and resume() keep working: with `onread` they stop and start the handle.
 */
export const READS_BEFORE_TAKEOVER = 16;

/**
 * The reads of one socket, handed to one consumer at a time, each as a write turn (write-turn.ts):
 * what the consumer queues for other sockets goes out before the read callback returns.
 *
 * Plain TCP sockets read into a buffer that belongs to the reader and is reused from read to read,
 * with no allocation and no stream events: a socket made by `net.connect({ onread:
 * reader.onread })`, or an accepted one handed to `adopt`. When a write made in the turn could not
 * finish and still references that buffer, the next read goes to a fresh one. The buffer grows
 * while reads fill it. A socket that emits 'data' instead (TLS) is attached with `listen`; `adopt`
 * falls back to that when Node offers no handle access.
 *
 * Pause and resume reading through the reader (`pause`, `resume`): an adopted socket's own
 * pause() would not stop its handle.
 */
export class SocketReader {
  private onreadOptions: OnReadOpts | null;
  private buffer: Buffer | null;
  /** Size of the current buffer, or of the next one when a read filled it. */
  private size: number;
  private memory: ArrayBuffer;
  private memoryOffset: number;
  private pinned: boolean;
  private consumer: ChunkConsumer | null;
  /** Chunks that arrived before a consumer was set (copies). */
  private early: Buffer[];
  private reused: boolean;
  private readsBeforeBuffer: number;
  private readsBeforeTakeover: number;
  /** The socket pause/resume act on (null for a net.connect socket: use its own). */
  private socket: Socket | null;
  /** The handle of an adopted socket, read without the stream layer. */
  private adopted: StreamHandle | null;

  constructor(options: SocketReaderOptions = {}) {
    this.onreadOptions = null;
    this.buffer = null;
    this.size = Math.min(Math.max(options.bufferSize ?? READ_BUFFER_SIZE, 64), READ_BUFFER_SIZE);
    this.memory = new ArrayBuffer(0);
    this.memoryOffset = 0;
    this.pinned = false;
    this.consumer = null;
    this.early = [];
    this.reused = true;
    this.readsBeforeBuffer = options.readsBeforeBuffer ?? 0;
    this.readsBeforeTakeover = options.readsBeforeTakeover ?? READS_BEFORE_TAKEOVER;
    this.socket = null;
    this.adopted = null;
  }

  /** For net.connect's `onread` option. */
  get onread(): OnReadOpts {
    const reader = this;
    this.onreadOptions ??= {
      buffer: () => this.nextBuffer() as Uint8Array,
      // Node calls it as a method of the socket.
      callback(this: unknown, n: number): boolean {
        reader.read(n);
        if (reader.readsBeforeTakeover > 0 && --reader.readsBeforeTakeover === 0) reader.takeOver(this as Socket);
        // false would stop reading; pausing is the socket's pause().
        return true;
      },
    };
    return this.onreadOptions;
  }

  /** False when chunks are always a stream's own buffers (TLS), which may be kept past the call. */
  get reusesMemory(): boolean {
    return this.reused;
  }

  /** Routes the following chunks to `consumer` (null: keep copies until one is set). */
  setConsumer(consumer: ChunkConsumer | null): void {
    this.consumer = consumer;
    if (consumer === null || this.early.length === 0) return;
    const early = this.early;
    this.early = [];
    for (const chunk of early) this.deliver(chunk, false);
  }

  /**
   * Takes over the reads of an accepted plain TCP socket (one no one listens to for 'data'). End
   * of stream and read errors still reach the socket, so 'end', 'error' and 'close' fire as usual.
   */
  adopt(socket: Socket): void {
    const handle = directHandle(socket);
    if (handle === null || socket.destroyed) {
      this.listen(socket);
      return;
    }
    this.socket = socket;
    this.adopted = handle;
    this.reused = true;
    this.early = [];
    const streamOnRead = handle.onread;
    if (this.readsBeforeBuffer <= 0) {
      this.readIntoBuffer(handle, streamOnRead);
      return;
    }
    const reader = this;
    handle.onread = function (this: StreamHandle, arrayBuffer: ArrayBuffer | undefined): unknown {
      const n = lastReadResult();
      if (n <= 0 || reader.adopted !== this) return streamOnRead.call(this, arrayBuffer);
      if (socket.destroyed) return undefined;
      reader.deliver(new ReadView(arrayBuffer as ArrayBuffer, lastReadOffset(), n) as Buffer, false);
      // The socket proved busy: from the next read on, no allocation per read.
      if (--reader.readsBeforeBuffer === 0 && reader.adopted === this && !socket.destroyed) reader.readIntoBuffer(this, streamOnRead);
      return undefined;
    };
  }

  /** Takes the chunks of a socket that emits 'data' (a TLS socket layered on the read one). */
  listen(socket: Socket): void {
    this.reused = false;
    this.adopted = null;
    this.socket = socket;
    // Bytes of a socket read before belong to it, not to this one (a TLS handshake takes over).
    this.early = [];
    socket.on('data', (chunk: Buffer) => this.deliver(chunk, false));
  }

  pause(): void {
    const handle = this.adopted;
    if (handle === null) {
      this.socket?.pause();
      return;
    }
    if (!handle.reading) return;
    handle.reading = false;
    handle.readStop();
  }

  resume(): void {
    const handle = this.adopted;
    if (handle === null) {
      this.socket?.resume();
      return;
    }
    if (handle.reading || (this.socket as Socket).destroyed) return;
    handle.reading = true;
    const err = handle.readStart();
    if (err !== 0) (this.socket as Socket).destroy(new Error(`pgdog: resuming reads failed (${err})`));
  }

  /**
   * An `onread` socket, from inside Node's read callback: the following reads come straight from
   * the handle. Node has already set the handle to read into the reader's buffers; after this
   * call it asks for the next one as before.
   */
  private takeOver(socket: Socket): void {
    // Not a socket as `this` (another Node calling the callback otherwise), or a TLS socket took over.
    if (socket === undefined || socket === null || typeof socket.pause !== 'function' || !this.reused) return;
    const handle = directHandle(socket);
    if (handle === null || socket.destroyed || this.adopted !== null) return;
    this.socket = socket;
    this.adopted = handle;
    this.readDirect(handle, handle.onread);
  }

  /** Adopted socket: reads from now on land in the reader's buffer. */
  private readIntoBuffer(handle: StreamHandle, streamOnRead: StreamHandle['onread']): void {
    handle.useUserBuffer(this.nextBuffer() as Buffer);
    this.readDirect(handle, streamOnRead);
  }

  /** The handle's reads (already into the reader's buffers) go to the reader; ends and errors to Node. */
  private readDirect(handle: StreamHandle, streamOnRead: StreamHandle['onread']): void {
    const reader = this;
    const socket = this.socket as Socket;
    handle.onread = function (this: StreamHandle, arrayBuffer: ArrayBuffer | undefined): unknown {
      const n = lastReadResult();
      if (n <= 0 || reader.adopted !== this) return streamOnRead.call(this, arrayBuffer);
      if (socket.destroyed) return undefined;
      reader.read(n);
      return reader.nextBuffer();
    };
  }

  private deliver(chunk: Buffer, reused: boolean): void {
    const consumer = this.consumer;
    if (consumer === null) {
      this.early.push(reused ? Buffer.from(chunk) : chunk);
      return;
    }
    const outer = beginTurn(reused);
    try {
      consumer(chunk);
    } finally {
      // Marked first: if a flush throws, nothing is known about what still references the buffer.
      const before = this.pinned;
      if (reused) this.pinned = true;
      if (!endTurn(outer)) this.pinned = before;
    }
  }

  /** n bytes arrived in the current buffer. */
  private read(n: number): void {
    this.deliver(new ReadView(this.memory, this.memoryOffset, n) as Buffer, true);
    if (n === this.size && n < READ_BUFFER_SIZE) {
      this.size = Math.min(n * 4, READ_BUFFER_SIZE);
      this.pinned = true;
    }
  }

  /**
   * Called before the first read and after each one: a new buffer (the old one is referenced by a
   * pending write, or too small), or undefined to read into the same one again.
   */
  private nextBuffer(): Buffer | undefined {
    if (this.buffer !== null && !this.pinned) return undefined;
    this.pinned = false;
    const buffer = Buffer.allocUnsafe(this.size);
    this.buffer = buffer;
    this.memory = buffer.buffer as ArrayBuffer;
    this.memoryOffset = buffer.byteOffset;
    return buffer;
  }
}
