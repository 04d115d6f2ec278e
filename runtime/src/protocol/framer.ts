import { StartupRequestCode } from './codes.js';
import { FORBIDDEN, STARTUP_PACKET_LIMIT, uniformLengthLimits } from './length-limits.js';
import { SqlState } from './sqlstate.js';

/** Untyped packets (int32 length, int32 request code) until a StartupMessage, typed messages after. */
export const enum FramerMode {
  Startup = 0,
  Typed = 1,
}

/**
 * Receives frames synchronously from `Framer.feed`. Every (buf, start, end) is a view into the
 * fed chunk, or into a buffer joined from several chunks; it is valid only during the call.
 * Copy anything kept longer (a Parse kept for replay, a startup packet).
 */
export interface FrameHandler {
  /** A typed message: `buf[start]` is the code, the body is `buf[start + 5 .. end)`. */
  onMessage(code: number, buf: Buffer, start: number, end: number): void;
  /**
   * A startup-phase packet: `requestCode` is the int32 after the length word (a protocol version
   * for a StartupMessage, or one of the StartupRequestCode values); the body starts at start + 8.
   */
  onStartupPacket(requestCode: number, buf: Buffer, start: number, end: number): void;
  /**
   * A contiguous run of the frames just dispatched (minus those taken out with `consume()`), for
   * forwarding in one write. Called after the frames' own callbacks; one feed yields at most one
   * run per buffer (a joined frame, then the chunk) plus one per `consume()` split.
   */
  onRun(buf: Buffer, start: number, end: number): void;
}

/**
 * A broken stream: the connection cannot be resynchronised and must be closed after sending an
 * ErrorResponse with these fields (severity FATAL). Texts and SQLSTATE follow PostgreSQL, which
 * reports every framing fault as 08P01 protocol_violation ("invalid message length" also for an
 * oversized message; PostgreSQL does not use 54000 here).
 */
export interface FramingError {
  readonly sqlstate: string;
  readonly message: string;
  /** The type byte (typed mode) or -1 (startup mode). */
  readonly code: number;
  /** The declared int32 length. */
  readonly length: number;
}

export interface FramerOptions {
  /** Default: Typed. A listener for clients starts in Startup mode. */
  mode?: FramerMode;
  /** Max of the int32 length word per code; see length-limits.ts. Default: uniform 1 GiB - 2. */
  lengthLimits?: Int32Array;
  /** Max whole startup packet length. Default: PostgreSQL's 10004. */
  maxStartupPacketLength?: number;
  /**
   * Chunks are views of a buffer the caller overwrites once feed() returns (a socket reading into
   * one buffer): the pieces of a frame spanning chunks are copied. Default false.
   */
  reusedChunks?: boolean;
}

const EMPTY = Buffer.alloc(0);
/** Scratch for a header split across chunks; shared because feed() runs to completion synchronously. */
const HEADER = Buffer.alloc(8);

/**
 * Cuts a byte stream into PostgreSQL messages without copying complete frames.
 *
 * Frames wholly inside a chunk are handed on as (buf, start, end) of that chunk. A frame that spans
 * chunks is gathered as a list of pieces and joined once when its last byte arrives, so joining
 * costs the frame size and never grows with the number of chunks. Only a leftover tail is copied.
 * Chunks given to `feed` must not be modified afterwards: the framer may hold them until the frame
 * they start completes (unless `reusedChunks` says they will be, and it copies them instead).
 *
 * A handler that throws stops the framer for good (feed() then returns an XX000 error): the
 * exception propagates once and the connection should be closed.
 *
 * Mode: after a startup packet other than SSLRequest/GSSENCRequest the framer switches to Typed
 * before calling the handler, because nothing untyped can follow a StartupMessage or
 * CancelRequest. The handler may still call `setMode` and the rest of the chunk obeys it.
 */
export class Framer {
  private readonly handler: FrameHandler;
  private readonly limits: Int32Array;
  private readonly maxStartup: number;
  private readonly reusedChunks: boolean;
  private mode: FramerMode;
  private error: FramingError | null;

  // A frame spanning chunks: its pieces, their byte count, and its total size once the header is in.
  private readonly pieces: Buffer[];
  private gathered: number;
  private need: number;

  // Dispatch state, read by consume() / pendingBytes() / halt() from inside handler callbacks.
  private dispatching: boolean;
  private halted: boolean;
  private buf: Buffer;
  private runStart: number;
  private frameStart: number;
  private frameEnd: number;
  private bufEnd: number;
  /** Bytes of the current chunk still waiting behind a joined frame being dispatched. */
  private afterJoined: number;

  constructor(handler: FrameHandler, options: FramerOptions = {}) {
    this.handler = handler;
    this.limits = options.lengthLimits ?? uniformLengthLimits();
    if (this.limits.length !== 256) throw new RangeError('lengthLimits must have 256 entries');
    this.maxStartup = options.maxStartupPacketLength ?? STARTUP_PACKET_LIMIT;
    this.reusedChunks = options.reusedChunks === true;
    this.mode = options.mode ?? FramerMode.Typed;
    this.error = null;
    this.pieces = [];
    this.gathered = 0;
    this.need = 0;
    this.dispatching = false;
    this.halted = false;
    this.buf = EMPTY;
    this.runStart = 0;
    this.frameStart = 0;
    this.frameEnd = 0;
    this.bufEnd = 0;
    this.afterJoined = 0;
  }

  get currentMode(): FramerMode {
    return this.mode;
  }

  /** The error that stopped the framer, if any; once set, feed() ignores input and returns it. */
  get framingError(): FramingError | null {
    return this.error;
  }

  setMode(mode: FramerMode): void {
    if (mode !== this.mode && this.gathered !== 0 && !this.dispatching) {
      // A partial frame was measured with the old header size.
      throw new Error('Framer.setMode: a partial frame is buffered');
    }
    this.mode = mode;
  }

  /**
   * Processes one chunk: calls the handler for each complete frame, then keeps the incomplete tail.
   * Returns the framing error that stopped the stream (frames before it were still dispatched), or
   * null. Never throws on bad input.
   */
  feed(chunk: Buffer): FramingError | null {
    if (this.error !== null) return this.error;
    if (this.dispatching) throw new Error('Framer.feed: not reentrant');
    this.halted = false;
    let pos = 0;
    if (this.gathered !== 0) {
      pos = this.completePartial(chunk);
      if (pos < 0 || this.halted) return this.error;
    }
    if (pos < chunk.length) this.scan(chunk, pos, chunk.length, true);
    return this.error;
  }

  /**
   * From inside a callback: the current frame is handled by the caller and must not be forwarded.
   * The run of frames before it is flushed to `onRun` right away, so effects stay in stream order.
   */
  consume(): void {
    if (!this.dispatching) throw new Error('Framer.consume: only valid inside a handler callback');
    if (this.frameStart > this.runStart) this.handler.onRun(this.buf, this.runStart, this.frameStart);
    this.runStart = this.frameEnd;
  }

  /**
   * From inside a callback: stop after this frame and discard the rest of the chunk (after a
   * CancelRequest, or a decode error that will close the connection). The next feed starts afresh.
   */
  halt(): void {
    this.halted = true;
  }

  /**
   * Bytes received but not yet dispatched: inside a callback, those after the current frame (an
   * SSLRequest followed by anything is the plaintext-injection attack PostgreSQL refuses with
   * "received unencrypted data after SSL request"); outside, the buffered partial frame.
   */
  pendingBytes(): number {
    if (!this.dispatching) return this.gathered;
    return this.bufEnd - this.frameEnd + this.afterJoined;
  }

  /**
   * From inside a callback: where the bytes that follow the current frame in the same `buf` end, when
   * all of them will be dispatched from that `buf` in this feed unless a handler halts (a caller may look ahead at the next
   * frames there); -1 when the rest is elsewhere (the current frame was joined from pieces).
   */
  restEnd(): number {
    return this.dispatching && this.afterJoined === 0 ? this.bufEnd : -1;
  }

  /** Consumes the start of `chunk` into the partial frame; returns the offset where framing resumes, or -1. */
  private completePartial(chunk: Buffer): number {
    const len = chunk.length;
    if (this.need === 0) {
      const missing = (this.mode === FramerMode.Typed ? 5 : 8) - this.gathered;
      if (len < missing) {
        this.pieces.push(Buffer.from(chunk));
        this.gathered += len;
        return -1;
      }
      let at = 0;
      for (const piece of this.pieces) {
        piece.copy(HEADER, at);
        at += piece.length;
      }
      chunk.copy(HEADER, at, 0, missing);
      const size = this.frameSize(HEADER, 0);
      if (size < 0) {
        this.dropPartial();
        return -1;
      }
      this.need = size;
    }
    const take = this.need - this.gathered;
    if (len < take) {
      this.pieces.push(this.reusedChunks ? Buffer.from(chunk) : chunk);
      this.gathered += len;
      return -1;
    }
    this.pieces.push(take === len ? chunk : chunk.subarray(0, take));
    const frame = Buffer.concat(this.pieces, this.need);
    this.dropPartial();
    this.afterJoined = len - take;
    this.scan(frame, 0, frame.length, false);
    this.afterJoined = 0;
    return take;
  }

  private dropPartial(): void {
    this.pieces.length = 0;
    this.gathered = 0;
    this.need = 0;
  }

  /** Dispatches the complete frames of buf[pos, end); with `keepTail`, buffers an incomplete rest. */
  private scan(buf: Buffer, pos: number, end: number, keepTail: boolean): void {
    const handler = this.handler;
    this.buf = buf;
    this.bufEnd = end;
    this.runStart = pos;
    this.dispatching = true;
    try {
      pos = this.dispatch(buf, pos, end);
      this.dispatching = false;
      if (pos > this.runStart) handler.onRun(buf, this.runStart, pos);
    } catch (e) {
      // The stream position is lost with the frame the handler was processing: stop for good.
      this.dispatching = false;
      this.buf = EMPTY;
      this.error = { sqlstate: SqlState.InternalError, message: 'message handler failed', code: -1, length: -1 };
      throw e;
    }
    this.buf = EMPTY;
    if (keepTail && pos < end && this.error === null && !this.halted) this.keepTail(buf, pos, end);
  }

  /** The frame loop: dispatches complete frames from pos and returns where it stopped. */
  private dispatch(buf: Buffer, pos: number, end: number): number {
    const handler = this.handler;
    const limits = this.limits;
    while (pos < end) {
      if (this.mode === FramerMode.Typed) {
        if (end - pos < 5) break;
        const code = buf[pos];
        const length = (buf[pos + 1] << 24) | (buf[pos + 2] << 16) | (buf[pos + 3] << 8) | buf[pos + 4];
        if (length < 4 || length > limits[code]) {
          this.fail(code, length);
          break;
        }
        const frameEnd = pos + 1 + length;
        if (frameEnd > end) break;
        this.frameStart = pos;
        this.frameEnd = frameEnd;
        handler.onMessage(code, buf, pos, frameEnd);
        pos = frameEnd;
      } else {
        if (end - pos < 8) break;
        const length = (buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3];
        if (length < 8 || length > this.maxStartup) {
          this.fail(-1, length);
          break;
        }
        const frameEnd = pos + length;
        if (frameEnd > end) break;
        const requestCode = buf.readInt32BE(pos + 4);
        if (requestCode !== StartupRequestCode.SSLRequest && requestCode !== StartupRequestCode.GSSENCRequest) {
          this.mode = FramerMode.Typed;
        }
        this.frameStart = pos;
        this.frameEnd = frameEnd;
        handler.onStartupPacket(requestCode, buf, pos, frameEnd);
        pos = frameEnd;
      }
      if (this.halted) break;
    }
    return pos;
  }

  /** Copies the incomplete rest so the chunk itself can be released; measures it if the header is in. */
  private keepTail(buf: Buffer, pos: number, end: number): void {
    const tail = Buffer.allocUnsafe(end - pos);
    buf.copy(tail, 0, pos, end);
    this.pieces.push(tail);
    this.gathered = tail.length;
    if (tail.length >= (this.mode === FramerMode.Typed ? 5 : 8)) {
      const size = this.frameSize(tail, 0);
      if (size < 0) this.dropPartial();
      else this.need = size;
    }
  }

  /** Total frame size from a complete header at b[o], or -1 after recording a framing error. */
  private frameSize(b: Buffer, o: number): number {
    if (this.mode === FramerMode.Typed) {
      const code = b[o];
      const length = b.readInt32BE(o + 1);
      if (length < 4 || length > this.limits[code]) {
        this.fail(code, length);
        return -1;
      }
      return length + 1;
    }
    const length = b.readInt32BE(o);
    if (length < 8 || length > this.maxStartup) {
      this.fail(-1, length);
      return -1;
    }
    return length;
  }

  private fail(code: number, length: number): void {
    let message: string;
    if (code === -1) message = 'invalid length of startup packet';
    else if (this.limits[code] === FORBIDDEN) message = `invalid frontend message type ${code}`;
    else message = 'invalid message length';
    this.error = { sqlstate: SqlState.ProtocolViolation, message, code, length };
  }
}
