// COPY ... FROM STDIN in text format: one row per line; a backslash escapes the next byte (a
// newline too); fields split on the delimiter; `\N` (or the NULL option) is NULL; `\.` alone on a
// line ends the data. The key field is de-escaped (\n \t \b \f \r \v, octal \123, hex \x41).
import { CopyRowError, type ReadResult, type RowReader } from './copy-row-error.js';

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CR = 0x0d;

export class TextRowReader implements RowReader {
  private readonly nullText: Buffer;
  constructor(private readonly delimiter: number, nullString: string, private readonly keyColumn: number, private readonly columnCount: number | null) {
    this.nullText = Buffer.from(nullString, 'utf8');
  }

  read(buf: Buffer, pos: number, final: boolean, line: number): ReadResult {
    let end = -1;
    for (let i = pos; i < buf.length; i++) {
      const c = buf[i];
      if (c === BACKSLASH) i++;
      else if (c === NEWLINE) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (!final || pos >= buf.length) return 'more';
      end = buf.length;
    }
    let contentEnd = end;
    if (contentEnd > pos && buf[contentEnd - 1] === CR) contentEnd--;
    const next = Math.min(end + 1, buf.length);
    if (contentEnd - pos === 2 && buf[pos] === BACKSLASH && buf[pos + 1] === 0x2e) return { marker: next - pos };
    let field = 0;
    let start = pos;
    let key: Buffer | null | undefined;
    for (let i = pos; i <= contentEnd; i++) {
      const c = i < contentEnd ? buf[i] : this.delimiter;
      if (c === BACKSLASH && i < contentEnd) {
        i++;
        continue;
      }
      if (c === this.delimiter) {
        if (field === this.keyColumn) key = this.fieldValue(buf.subarray(start, i), line);
        field++;
        start = i + 1;
      }
    }
    if (this.columnCount !== null && field !== this.columnCount) {
      throw new CopyRowError(line, field > this.columnCount ? 'extra data after last expected column' : `missing data for column ${field + 1}`);
    }
    if (key === undefined) throw new CopyRowError(line, `missing data for column ${this.keyColumn + 1}`);
    return { end: next, key };
  }

  private fieldValue(raw: Buffer, line: number): Buffer | null {
    if (raw.equals(this.nullText)) return null;
    if (!raw.includes(BACKSLASH)) return raw;
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c !== BACKSLASH) {
        out.push(c);
        continue;
      }
      const e = raw[++i];
      if (e === undefined) throw new CopyRowError(line, 'unterminated backslash escape');
      switch (e) {
        case 0x62: out.push(8); break; // \b
        case 0x66: out.push(12); break; // \f
        case 0x6e: out.push(10); break; // \n
        case 0x72: out.push(13); break; // \r
        case 0x74: out.push(9); break; // \t
        case 0x76: out.push(11); break; // \v
        case 0x78: { // \xhh
          let v = 0;
          let n = 0;
          while (n < 2 && i + 1 < raw.length && /[0-9a-fA-F]/.test(String.fromCharCode(raw[i + 1]!))) {
            v = v * 16 + parseInt(String.fromCharCode(raw[++i]!), 16);
            n++;
          }
          out.push(n === 0 ? 0x78 : v);
          break;
        }
        default:
          if (e >= 0x30 && e <= 0x37) { // octal \o, \oo, \ooo
            let v = e - 0x30;
            for (let n = 0; n < 2 && i + 1 < raw.length && raw[i + 1]! >= 0x30 && raw[i + 1]! <= 0x37; n++) v = v * 8 + raw[++i]! - 0x30;
            out.push(v & 0xff);
          } else out.push(e);
      }
    }
    return Buffer.from(out);
  }
}
