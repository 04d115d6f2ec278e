import { MalformedMessageError } from './malformed-message.js';

const EMPTY = Buffer.alloc(0);

/**
 * A cursor over one message body. Decoders keep a single instance and point it at each frame with
 * `setBuffer`, so decoding allocates only what it returns (strings, arrays, subarray views).
 *
 * Every read is bounds-checked against `end` (the end of the frame, not of the buffer, which may
 * hold further frames) and throws `MalformedMessageError` with PostgreSQL's wording when a field
 * would run past it.
 */
export class Reader {
  private buf: Buffer;
  private pos: number;
  private end: number;

  constructor() {
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
  }

  setBuffer(buf: Buffer, offset = 0, end = buf.length): this {
    this.buf = buf;
    this.pos = offset;
    this.end = end;
    return this;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Unsigned byte. */
  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Counts on the wire (parameters, columns, formats) are unsigned 16-bit, as PostgreSQL reads them. */
  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Object ids are unsigned 32-bit. */
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A NUL-terminated UTF-8 string; the terminator is consumed. */
  cstring(): string {
    const stop = this.cstringEnd();
    // The unnamed portal and statement: the most common names of all.
    if (stop === this.pos) {
      this.pos = stop + 1;
      return '';
    }
    // No encoding argument: Buffer.toString then goes straight to its UTF-8 decoder.
    const s = this.buf.toString(undefined, this.pos, stop);
    this.pos = stop + 1;
    return s;
  }

  /** Skips a NUL-terminated string without decoding it. */
  skipCString(): void {
    this.pos = this.cstringEnd() + 1;
  }

  /** A view of the next `length` bytes (no copy: valid only as long as the frame is). */
  bytes(length: number): Buffer {
    if (length < 0) throw new MalformedMessageError('insufficient data left in message');
    this.need(length);
    const v = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  /** `length` bytes decoded as UTF-8. */
  string(length: number): string {
    if (length < 0) throw new MalformedMessageError('insufficient data left in message');
    this.need(length);
    const s = this.buf.toString(undefined, this.pos, this.pos + length);
    this.pos += length;
    return s;
  }

  /** A view of everything up to the end of the frame. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  skip(length: number): void {
    if (length < 0) throw new MalformedMessageError('insufficient data left in message');
    this.need(length);
    this.pos += length;
  }

  /** PostgreSQL rejects bodies with trailing bytes (pq_getmsgend); so do we. */
  expectEnd(): void {
    if (this.pos !== this.end) throw new MalformedMessageError('invalid message format');
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new MalformedMessageError('insufficient data left in message');
  }

  private cstringEnd(): number {
    // indexOf may look past `end` into the next frame; any hit there means the string is unterminated.
    const stop = this.buf.indexOf(0, this.pos);
    if (stop < 0 || stop >= this.end) throw new MalformedMessageError('invalid string in message');
    return stop;
  }
}
