// COPY ... FROM STDIN (FORMAT binary): an 11-byte signature, int32 flags, int32 header-extension
// length and the extension, then tuples (int16 field count, per field int32 length or -1 and the
// bytes) and an int16 -1 trailer. The header goes to every shard; each shard's trailer is written
// by the splitter at the end.
import { CopyRowError, type ReadResult, type RowReader } from './copy-row-error.js';

export const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Length of a complete header at the start of `buf`, 0 when more bytes are needed. */
export function binaryHeaderLength(buf: Buffer): number {
  if (buf.length < 19) {
    if (!BINARY_SIGNATURE.subarray(0, Math.min(buf.length, 11)).equals(buf.subarray(0, Math.min(buf.length, 11)))) {
      throw new CopyRowError(1, 'COPY file signature not recognized');
    }
    return 0;
  }
  if (!buf.subarray(0, 11).equals(BINARY_SIGNATURE)) throw new CopyRowError(1, 'COPY file signature not recognized');
  const flags = buf.readUInt32BE(11);
  // Bit 16 means OIDs are included, which PostgreSQL 12+ no longer supports; bits 0-15 are
  // critical flags that must be understood.
  if ((flags & 0xffff) !== 0 || (flags & 0x10000) !== 0) throw new CopyRowError(1, 'unrecognized critical flags in COPY file header');
  const ext = buf.readInt32BE(15);
  if (ext < 0) throw new CopyRowError(1, 'invalid COPY file header (negative extension length)');
  return buf.length >= 19 + ext ? 19 + ext : 0;
}

export class BinaryRowReader implements RowReader {
  constructor(private readonly keyColumn: number, private readonly columnCount: number | null) {}

  read(buf: Buffer, pos: number, final: boolean, line: number): ReadResult {
    if (buf.length - pos < 2) {
      if (final && buf.length > pos) throw new CopyRowError(line, 'unexpected end of binary COPY data');
      return 'more';
    }
    const count = buf.readInt16BE(pos);
    if (count === -1) return { marker: 2 };
    if (count < 0 || (this.columnCount !== null && count !== this.columnCount)) {
      throw new CopyRowError(line, `row field count is ${count}, expected ${this.columnCount ?? 'a positive count'}`);
    }
    let p = pos + 2;
    let key: Buffer | null | undefined;
    for (let f = 0; f < count; f++) {
      if (buf.length - p < 4) return this.incomplete(final, line);
      const len = buf.readInt32BE(p);
      p += 4;
      if (len < -1) throw new CopyRowError(line, `invalid field length ${len}`);
      if (len === -1) {
        if (f === this.keyColumn) key = null;
        continue;
      }
      if (buf.length - p < len) return this.incomplete(final, line);
      if (f === this.keyColumn) key = buf.subarray(p, p + len);
      p += len;
    }
    if (key === undefined) throw new CopyRowError(line, `missing data for column ${this.keyColumn + 1}`);
    return { end: p, key };
  }

  private incomplete(final: boolean, line: number): 'more' {
    if (final) throw new CopyRowError(line, 'unexpected end of binary COPY data');
    return 'more';
  }
}
