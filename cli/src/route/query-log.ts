// Reading a query log for `pgdog route --log`: either one statement per line, or a CSV export of
// pg_stat_statements (a header row with a `query` column, and usually `calls`, which weights
// each query). The first line decides which. Streams the file, so a log of any size is read in
// constant memory (apart from what the caller keeps).

import { createReadStream } from 'node:fs';
import { CsvReader } from './csv.js';

export interface LogEntry {
  query: string;
  calls: number;
}

export type LogFormat = 'lines' | 'pg_stat_statements';

export interface ReadLogOptions {
  onEntry: (entry: LogEntry) => void;
  /** Bytes read so far. */
  onProgress?: (bytes: number) => void;
}

/** Column indexes of `query` and `calls` if `header` is a pg_stat_statements header row. */
export function csvColumns(header: readonly string[]): { query: number; calls: number } | null {
  const names = header.map((h) => h.trim().toLowerCase());
  const query = names.indexOf('query');
  return query < 0 ? null : { query, calls: names.indexOf('calls') };
}

function callsOf(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = Number(text.trim());
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

/** Line-mode entries of one line of text; blank lines are skipped. */
function lineEntry(line: string, onEntry: (e: LogEntry) => void): void {
  const q = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (q.trim() !== '') onEntry({ query: q, calls: 1 });
}

export async function readQueryLog(path: string, opts: ReadLogOptions): Promise<LogFormat> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let format: LogFormat | null = null;
  let head = '';
  let bytes = 0;
  let csv: CsvReader | null = null;
  let rest = '';
  const lines = (text: string): void => {
    const parts = (rest + text).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) lineEntry(l, opts.onEntry);
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    bytes += Buffer.byteLength(chunk, 'utf8');
    let text = chunk;
    if (format === null) {
      head += text;
      const nl = head.indexOf('\n');
      if (nl < 0) continue;
      let columns: { query: number; calls: number } | null = null;
      new CsvReader((rec) => (columns ??= csvColumns(rec))).push(head.slice(0, nl + 1));
      if (columns !== null) {
        const { query, calls } = columns;
        format = 'pg_stat_statements';
        let header = true;
        csv = new CsvReader((rec) => {
          if (header) {
            header = false;
            return;
          }
          const q = rec[query];
          if (q !== undefined && q.trim() !== '') opts.onEntry({ query: q, calls: calls < 0 ? 1 : callsOf(rec[calls]) });
        });
      } else {
        format = 'lines';
      }
      text = head;
      head = '';
    }
    if (csv !== null) csv.push(text);
    else lines(text);
    opts.onProgress?.(bytes);
  }
  if (format === null) {
    // No line end at all: a one-line file.
    format = 'lines';
    rest = head;
  }
  if (csv !== null) csv.end();
  else if (rest !== '') lineEntry(rest, opts.onEntry);
  return format;
}
