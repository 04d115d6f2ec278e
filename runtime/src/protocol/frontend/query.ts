import { Reader } from '../reader.js';

// Query 'Q': one NUL-terminated string. Frames are (buf, start, end) with buf[start] the type byte.

const reader = new Reader();

/** The SQL text of a simple Query (a copy). */
export function readQuery(buf: Buffer, start: number, end: number): string {
  // Every Query a client sends: decoded in one step when the frame ends with the terminator.
  // UTF-8 encodes nothing else with a zero byte, so a text without NUL is the whole string; an
  // early NUL takes the reader, which rejects it as PostgreSQL does.
  const last = end - 1;
  if (last >= start + 5 && buf[last] === 0) {
    // No encoding argument: Buffer#toString then goes straight to its UTF-8 decoder.
    const text = buf.toString(undefined, start + 5, last);
    if (text.indexOf('\0') < 0) return text;
  }
  reader.setBuffer(buf, start + 5, end);
  const text = reader.cstring();
  reader.expectEnd();
  return text;
}
