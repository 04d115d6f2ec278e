import { Reader } from '../reader.js';

// Query 'Q': one NUL-terminated string. Frames are (buf, start, end) with buf[start] the type byte.

const reader = new Reader();

/** The SQL text of a simple Query (a copy). */
export function readQuery(buf: Buffer, start: number, end: number): string {
  reader.setBuffer(buf, start + 5, end);
  const text = reader.cstring();
  reader.expectEnd();
  return text;
}
