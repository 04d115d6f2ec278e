const EMPTY = Buffer.alloc(0);

/** A writer that grew past this keeps the big buffer only until the next take(). */
const RETAIN_LIMIT = 64 * 1024;

/**
 * Encodes messages into one growing buffer so that several of them leave in a single write.
 *
 * `begin(code)` reserves the 5-byte header (code + int32 length) and `end()` patches the length in
 * once the body is known, so no body is measured twice. Any number of messages may be written before
 * `take()`, which hands over every finished byte as one subarray.
 *
 * Ownership: bytes returned by `take()` belong to the caller (usually a socket) and are never
 * written again. Later messages go after them in the same chunk, or into a fresh chunk when it is
 * full, so one allocation serves many small takes. One writer per connection; a shared writer is
 * only safe while no `await` falls between `begin()` and `take()`.
 */
export class MessageWriter {
  private buf: Buffer;
  /** Next byte to write. */
  private pos: number;
  /** Bytes before this offset have been handed out by take(). */
  private taken: number;
  /** Offset of the open message's header, or -1 when no message is open. */
  private open: number;
  /** Whether the open message has a type byte (false for startup-phase packets). */
  private typed: boolean;
  private readonly chunkSize: number;

  constructor(chunkSize = 2048) {
    if (!Number.isInteger(chunkSize) || chunkSize < 16) throw new RangeError('chunkSize must be an integer >= 16');
    this.buf = EMPTY;
    this.pos = 0;
    this.taken = 0;
    this.open = -1;
    this.typed = true;
    this.chunkSize = chunkSize;
  }

  /** Starts a typed message: code byte plus a length patched by end(). */
  begin(code: number): this {
    if (this.open !== -1) throw new Error('MessageWriter.begin: previous message not ended');
    this.ensure(5);
    this.open = this.pos;
    this.typed = true;
    this.buf[this.pos] = code;
    this.pos += 5;
    return this;
  }

  /** Starts an untyped startup-phase packet (StartupMessage, CancelRequest, SSLRequest). */
  beginUntyped(): this {
    if (this.open !== -1) throw new Error('MessageWriter.beginUntyped: previous message not ended');
    this.ensure(4);
    this.open = this.pos;
    this.typed = false;
    this.pos += 4;
    return this;
  }

  /** Closes the open message by writing its length (which counts itself but not the code byte). */
  end(): this {
    const start = this.open;
    if (start === -1) throw new Error('MessageWriter.end: no message open');
    const lengthAt = this.typed ? start + 1 : start;
    this.buf.writeInt32BE(this.pos - lengthAt, lengthAt);
    this.open = -1;
    return this;
  }

  byte(value: number): this {
    this.ensure(1);
    this.buf[this.pos++] = value;
    return this;
  }

  int16(value: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(value, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(value: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(value, this.pos);
    this.pos += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(value, this.pos);
    this.pos += 4;
    return this;
  }

  /** UTF-8 text without terminator or length. */
  string(value: string): this {
    this.writeUtf8(value);
    return this;
  }

  /** UTF-8 text plus NUL. A NUL inside would silently end the field early on the wire, so it throws. */
  cstring(value: string): this {
    if (value.indexOf('\0') !== -1) throw new TypeError('MessageWriter.cstring: value contains NUL');
    this.writeUtf8(value);
    this.ensure(1);
    this.buf[this.pos++] = 0;
    return this;
  }

  /** Int32 byte length followed by the UTF-8 bytes (DataRow / Bind value layout). */
  lengthPrefixedString(value: string): this {
    this.ensure(4);
    this.pos += 4;
    const n = this.writeUtf8(value);
    // The length word sits right before the text; a grow inside writeUtf8 keeps that layout.
    this.buf.writeInt32BE(n, this.pos - n - 4);
    return this;
  }

  bytes(value: Uint8Array): this {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** Appends already encoded frames (e.g. a constant from constants.ts) between messages. */
  frames(value: Uint8Array): this {
    if (this.open !== -1) throw new Error('MessageWriter.frames: a message is open');
    return this.bytes(value);
  }

  /** Bytes finished and not yet taken. */
  get pendingLength(): number {
    return (this.open === -1 ? this.pos : this.open) - this.taken;
  }

  /** Hands over every finished message since the last take, as one view. Empty if there is none. */
  take(): Buffer {
    if (this.open !== -1) throw new Error('MessageWriter.take: a message is open');
    if (this.pos === this.taken) return EMPTY;
    const out = this.buf.subarray(this.taken, this.pos);
    if (this.buf.length > RETAIN_LIMIT) {
      // A one-off large result should not pin a big buffer to an idle connection.
      this.buf = EMPTY;
      this.pos = 0;
      this.taken = 0;
    } else {
      this.taken = this.pos;
    }
    return out;
  }

  /** Drops unfinished and untaken bytes (after an encoding error). Taken bytes are unaffected. */
  reset(): void {
    this.pos = this.taken;
    this.open = -1;
  }

  private writeUtf8(value: string): number {
    // Three bytes per UTF-16 unit is the UTF-8 worst case, so short strings skip the byteLength pass.
    const worst = value.length * 3;
    this.ensure(worst <= 4096 ? worst : Buffer.byteLength(value, 'utf8'));
    const n = this.buf.write(value, this.pos, 'utf8');
    this.pos += n;
    return n;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // Copy only the untaken bytes into a fresh chunk: taken bytes may still be queued on a socket.
    const live = this.pos - this.taken;
    const size = Math.max(this.chunkSize, Math.ceil((live + n) * 1.5));
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.taken, this.pos);
    if (this.open !== -1) this.open -= this.taken;
    this.pos = live;
    this.taken = 0;
    this.buf = next;
  }
}
