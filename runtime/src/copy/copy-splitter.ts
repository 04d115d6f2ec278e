// Splits the CopyData stream of `COPY table FROM STDIN` into per-shard CopyData payloads by the
// sharding column of each row. Rows may span chunks: the unfinished tail is kept (copied) until
// the next chunk. Row bytes are forwarded as they arrived, never re-encoded. A HEADER line (text /
// CSV) is sent to every shard, whose COPY carries the same HEADER option and skips it; the binary
// header likewise goes to every shard, and each shard gets its own trailer at the end.
import { BINARY_TRAILER, BinaryRowReader, binaryHeaderLength } from './copy-binary.js';
import { CopyDataBuffer } from './copy-data-buffer.js';
import { CsvRowReader } from './copy-csv.js';
import { CopyRowError, type RowReader } from './copy-row-error.js';
import { TextRowReader } from './copy-text.js';

export interface CopySplitOptions {
  readonly format: 'text' | 'csv' | 'binary';
  /** Single-byte options as in CopyInfo; null = PostgreSQL's default for the format. */
  readonly delimiter?: string | null;
  readonly quote?: string | null;
  readonly escape?: string | null;
  readonly null?: string | null;
  readonly header?: boolean;
  /** Index of the sharding column among the COPY's columns. */
  readonly keyColumn: number;
  /** Number of columns each row must have (the COPY column list); null: not checked. */
  readonly columnCount: number | null;
  readonly shards: number;
  /** The shard of a key value (text: de-escaped text bytes, format 0; binary: the field, format 1).
   *  Returns a shard number, or a string saying why the value cannot be placed. */
  readonly shardOf: (value: Buffer | null, format: 0 | 1) => number | string;
}

function singleByte(value: string | null | undefined, fallback: string, what: string): number {
  const v = value ?? fallback;
  const b = Buffer.from(v, 'utf8');
  if (b.length !== 1) throw new CopyRowError(0, `COPY ${what} must be a single one-byte character`);
  return b[0]!;
}

export class CopySplitter {
  /** Rows sent to each shard so far. */
  readonly rows: number[];
  private readonly reader: RowReader;
  private readonly pending: CopyDataBuffer[];
  private tail: Buffer = Buffer.alloc(0);
  private line = 0;
  private headerDone: boolean;
  private ended = false;
  private failure: CopyRowError | null = null;

  constructor(private readonly options: CopySplitOptions) {
    this.rows = new Array<number>(options.shards).fill(0);
    this.pending = Array.from({ length: options.shards }, () => new CopyDataBuffer());
    const { format, keyColumn, columnCount } = options;
    if (format === 'binary') this.reader = new BinaryRowReader(keyColumn, columnCount);
    else if (format === 'csv') {
      const quote = singleByte(options.quote, '"', 'quote');
      this.reader = new CsvRowReader(singleByte(options.delimiter, ',', 'delimiter'), quote,
        singleByte(options.escape, options.quote ?? '"', 'escape'), options.null ?? '', keyColumn, columnCount);
    } else this.reader = new TextRowReader(singleByte(options.delimiter, '\t', 'delimiter'), options.null ?? '\\N', keyColumn, columnCount);
    this.headerDone = format === 'binary' ? false : options.header !== true;
  }

  /** The first malformed row; once set, every later call is a no-op and the COPY must fail. */
  get error(): CopyRowError | null {
    return this.failure;
  }

  /** Total rows split so far (what CopyComplete / CommandComplete reports). */
  get totalRows(): number {
    return this.rows.reduce((a, b) => a + b, 0);
  }

  /** One CopyData payload from the client (valid only during the call). */
  push(chunk: Buffer): void {
    this.consume(chunk, false);
  }

  /** CopyDone: flushes an unterminated last line and appends binary trailers. */
  end(): void {
    this.consume(Buffer.alloc(0), true);
    if (this.failure === null && this.tail.length > 0) this.failure = new CopyRowError(this.line + 1, 'unexpected end of COPY data');
    if (this.failure === null && this.options.format === 'binary') {
      if (!this.headerDone) this.failure = new CopyRowError(1, 'COPY file signature not recognized');
      else for (const p of this.pending) p.append(BINARY_TRAILER, 0, BINARY_TRAILER.length);
    }
  }

  /** The bytes to send to a shard now (one CopyData payload), or null. */
  take(shard: number): Buffer | null {
    return this.pending[shard]!.takePayload();
  }

  /** The bytes to send to a shard now as one CopyData frame, or null. */
  takeFrame(shard: number): Buffer | null {
    return this.pending[shard]!.takeFrame();
  }

  /** Bytes waiting for a shard. */
  pendingBytes(shard: number): number {
    return this.pending[shard]!.size;
  }

  private consume(chunk: Buffer, final: boolean): void {
    if (this.failure !== null || (this.ended && !final)) return;
    const buf = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    let pos = 0;
    try {
      if (!this.headerDone) {
        const n = this.options.format === 'binary' ? binaryHeaderLength(buf) : this.headerLine(buf, final);
        if (n === 0) {
          this.tail = Buffer.from(buf);
          return;
        }
        this.broadcast(buf.subarray(0, n));
        this.headerDone = true;
        if (this.options.format !== 'binary') this.line++;
        pos = n;
      }
      while (!this.ended && pos < buf.length + (final ? 1 : 0)) {
        const r = this.reader.read(buf, pos, final, this.line + 1);
        if (r === 'more') break;
        if ('marker' in r) {
          this.ended = true;
          pos += r.marker;
          break;
        }
        this.line++;
        const shard = this.options.shardOf(r.key, this.options.format === 'binary' ? 1 : 0);
        if (typeof shard === 'string') throw new CopyRowError(this.line, shard, '22P02');
        // Copied: the chunk is only valid during this call, the payload leaves later.
        this.pending[shard]!.append(buf, pos, r.end);
        this.rows[shard]!++;
        pos = r.end;
      }
    } catch (err) {
      if (!(err instanceof CopyRowError)) throw err;
      this.failure = err;
      for (const p of this.pending) p.clear();
      return;
    }
    // After the end-of-data marker PostgreSQL ignores the rest; so does the splitter.
    this.tail = this.ended ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
  }

  /** Length of the header line (with its newline), 0 when it has not fully arrived. */
  private headerLine(buf: Buffer, final: boolean): number {
    const nl = buf.indexOf(0x0a);
    if (nl >= 0) return nl + 1;
    return final ? buf.length : 0;
  }

  private broadcast(bytes: Buffer): void {
    for (const p of this.pending) p.append(bytes, 0, bytes.length);
  }
}
