// COPY ... FROM STDIN in CSV format: rows end at a newline outside quotes; a quoted field may
// hold delimiters and newlines; inside quotes the escape character (the quote by default)
// followed by the quote or itself stands for that character; an unquoted empty field is NULL (or
// the NULL option's text, unquoted); `\.` alone on a line ends the data.
import { CopyRowError, type ReadResult, type RowReader } from './copy-row-error.js';

const NEWLINE = 0x0a;
const CR = 0x0d;

export class CsvRowReader implements RowReader {
  private readonly nullText: Buffer;
  constructor(
    private readonly delimiter: number, private readonly quote: number, private readonly escape: number,
    nullString: string, private readonly keyColumn: number, private readonly columnCount: number | null,
  ) {
    this.nullText = Buffer.from(nullString, 'utf8');
  }

  read(buf: Buffer, pos: number, final: boolean, line: number): ReadResult {
    let field = 0;
    let key: Buffer | null | undefined;
    let value: number[] = [];
    let quoted = false;
    let inQuotes = false;
    let fieldStart = pos;
    let i = pos;
    const finishField = (endAt: number): void => {
      if (field === this.keyColumn) {
        const raw = buf.subarray(fieldStart, endAt);
        key = !quoted && raw.equals(this.nullText) ? null : Buffer.from(value);
      }
      field++;
      value = [];
      quoted = false;
    };
    for (;; i++) {
      if (i >= buf.length) {
        if (!final) return 'more';
        if (inQuotes) throw new CopyRowError(line, 'unterminated CSV quoted field');
        if (i === pos) return 'more';
        break;
      }
      const c = buf[i]!;
      if (inQuotes) {
        if (c === this.escape && i + 1 < buf.length && (buf[i + 1] === this.quote || buf[i + 1] === this.escape) && !(this.escape === this.quote && buf[i + 1] !== this.quote)) {
          i++;
          if (field === this.keyColumn) value.push(buf[i]!);
        } else if (c === this.escape && i + 1 >= buf.length && !final) {
          return 'more'; // cannot tell a closing quote from an escaped one yet
        } else if (c === this.quote) inQuotes = false;
        else if (field === this.keyColumn) value.push(c);
        continue;
      }
      if (c === this.quote) {
        inQuotes = true;
        quoted = true;
      } else if (c === this.delimiter) {
        finishField(i);
        fieldStart = i + 1;
      } else if (c === NEWLINE) break;
      // Only the key's bytes are kept: the other fields are forwarded as they are.
      else if (field === this.keyColumn) value.push(c);
    }
    let contentEnd = i;
    // A CR right before the newline is outside quotes (a closing quote would sit between them).
    if (contentEnd > pos && buf[contentEnd - 1] === CR) {
      contentEnd--;
      if (value[value.length - 1] === CR) value.pop();
    }
    const next = Math.min(i + 1, buf.length);
    if (field === 0 && contentEnd - pos === 2 && buf[pos] === 0x5c && buf[pos + 1] === 0x2e) return { marker: next - pos };
    finishField(contentEnd);
    if (this.columnCount !== null && field !== this.columnCount) {
      throw new CopyRowError(line, field > this.columnCount ? 'extra data after last expected column' : `missing data for column ${field + 1}`);
    }
    if (key === undefined) throw new CopyRowError(line, `missing data for column ${this.keyColumn + 1}`);
    return { end: next, key };
  }
}
