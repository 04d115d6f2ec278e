// One shard's outgoing COPY data: rows are appended (copied, since the client's chunk is reused)
// into one growing buffer that already has room for the CopyData header, so a flush is one frame
// and one socket write, with no per-row allocation.

const COPY_DATA = 0x64; // 'd'
const HEADER = 5;
const INITIAL = 64 * 1024;

export class CopyDataBuffer {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL);
  private len = HEADER;

  /** Payload bytes waiting. */
  get size(): number {
    return this.len - HEADER;
  }

  append(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.len + n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    src.copy(this.buf, this.len, start, end);
    this.len += n;
  }

  /** The waiting bytes as one CopyData frame (the buffer is handed over, a new one started), or null. */
  takeFrame(): Buffer | null {
    if (this.len === HEADER) return null;
    const out = this.buf.subarray(0, this.len);
    out[0] = COPY_DATA;
    out.writeInt32BE(this.len - 1, 1);
    this.buf = Buffer.allocUnsafe(Math.max(INITIAL, Math.min(this.buf.length, 1024 * 1024)));
    this.len = HEADER;
    return out;
  }

  /** The waiting bytes without the frame header, or null. */
  takePayload(): Buffer | null {
    const frame = this.takeFrame();
    return frame === null ? null : frame.subarray(HEADER);
  }

  clear(): void {
    this.len = HEADER;
  }
}
