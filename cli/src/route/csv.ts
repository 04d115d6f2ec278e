// A streaming CSV record reader (RFC 4180 as PostgreSQL's COPY ... CSV writes it): fields may be
// quoted, quotes inside are doubled, quoted fields may span lines. Fed text in chunks of any
// size; a record is emitted once its line end is seen.

export class CsvReader {
  private field = '';
  private record: string[] = [];
  private quoted = false;
  /** Inside quotes, a `"` was just seen: either the closing quote or the first of `""`. */
  private quotePending = false;
  /** The previous chunk ended on `\r`; a `\n` starting the next one belongs to it. */
  private afterReturn = false;
  private fieldStarted = false;

  constructor(private readonly emit: (record: string[]) => void) {}

  push(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    if (this.afterReturn) {
      this.afterReturn = false;
      if (chunk.charCodeAt(0) === 10) i = 1;
    }
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.quoted) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === 34) {
            this.field += '"';
            i++;
            continue;
          }
          this.quoted = false;
          continue; // re-read c outside quotes
        }
        // Copy the run up to the next quote in one slice.
        const q = chunk.indexOf('"', i);
        if (q < 0) {
          this.field += chunk.slice(i);
          return;
        }
        this.field += chunk.slice(i, q);
        this.quotePending = true;
        i = q + 1;
        continue;
      }
      if (c === 44) {
        this.endField();
      } else if (c === 10 || c === 13) {
        this.endRecord();
        if (c === 13) {
          if (i + 1 < n) {
            if (chunk.charCodeAt(i + 1) === 10) i++;
          } else {
            this.afterReturn = true;
          }
        }
      } else if (c === 34 && !this.fieldStarted) {
        this.quoted = true;
        this.fieldStarted = true;
      } else {
        this.field += chunk[i];
        this.fieldStarted = true;
      }
      i++;
    }
  }

  /** Flushes a last record without a line end. */
  end(): void {
    if (this.quotePending) {
      this.quotePending = false;
      this.quoted = false;
    }
    if (this.fieldStarted || this.record.length > 0) this.endRecord();
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
    this.fieldStarted = false;
  }

  private endRecord(): void {
    this.endField();
    const r = this.record;
    this.record = [];
    // A blank line is not a record.
    if (r.length === 1 && r[0] === '') return;
    this.emit(r);
  }
}

/** All records of a CSV text (tests and small inputs). */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  const r = new CsvReader((rec) => out.push(rec));
  r.push(text);
  r.end();
  return out;
}
