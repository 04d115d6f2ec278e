// A row the splitter cannot read: the COPY fails as a whole (no shard keeps a partial COPY).
export class CopyRowError extends Error {
  /** `sqlstate`: 22P04 (bad_copy_file_format) for the row's shape, 22P02 for a key value. */
  constructor(readonly line: number, readonly reason: string, readonly sqlstate = '22P04') {
    super(`COPY data line ${line}: ${reason}`);
  }
}

/** One row found by a format reader. */
export interface RowCut {
  /** Byte offset just past the row (its newline / last field included). */
  readonly end: number;
  /** The sharding column's value (de-escaped text, or the binary field), null for SQL NULL. */
  readonly key: Buffer | null;
}

/** What a format reader returns at `pos`: a row, 'more' (the row is incomplete), or 'end' (the
 *  end-of-data marker or trailer, `end` = bytes consumed). */
export type ReadResult = RowCut | 'more' | { readonly marker: number };

export interface RowReader {
  /** `final`: no more data will come (CopyDone), so an unterminated last line is a row. */
  read(buf: Buffer, pos: number, final: boolean, line: number): ReadResult;
}
