import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// CommandComplete 'C': the command tag, e.g. "SELECT 5", "INSERT 0 5", "UPDATE 3", "BEGIN".

export function writeCommandComplete(w: MessageWriter, tag: string): MessageWriter {
  return w.begin(BackendCode.CommandComplete).cstring(tag).end();
}

const reader = new Reader();

export function readCommandComplete(buf: Buffer, start: number, end: number): string {
  reader.setBuffer(buf, start + 5, end);
  const tag = reader.cstring();
  reader.expectEnd();
  return tag;
}

// Tags that end in a row count (PostgreSQL's CommandTag rowcount flag); "INSERT" carries an OID first.
const COUNTED = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'FETCH', 'MOVE', 'COPY']);

const COUNTED_BYTES = [...COUNTED].map((word) => Buffer.from(word, 'latin1'));

/** The row count of a tag, or -1 for tags without one ("BEGIN", "CREATE TABLE", ...). */
export function rowCountFromTag(tag: string): number {
  const space = tag.indexOf(' ');
  if (space < 0 || !COUNTED.has(tag.slice(0, space))) return -1;
  const last = tag.lastIndexOf(' ');
  if (last === tag.length - 1) return -1;
  let n = 0;
  for (let i = last + 1; i < tag.length; i++) {
    const d = tag.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The row count straight from the frame bytes, without building the tag string: stats count rows
 * on every statement. -1 when the tag has none.
 */
export function commandCompleteRowCount(buf: Buffer, start: number, end: number): number {
  // Body is the tag plus its NUL, so the digits end at end - 2.
  if (buf[end - 1] !== 0) return -1;
  let i = end - 2;
  let n = 0;
  let scale = 1;
  while (i >= start + 5 && buf[i] >= 0x30 && buf[i] <= 0x39) {
    n += (buf[i] - 0x30) * scale;
    scale *= 10;
    i--;
  }
  if (scale === 1 || i < start + 5 || buf[i] !== 0x20) return -1;
  // Digits must follow a counted command word: compare the first word's bytes, no string built.
  const wordStart = start + 5;
  const wordEnd = buf.indexOf(0x20, wordStart);
  for (const word of COUNTED_BYTES) {
    if (word.length === wordEnd - wordStart && buf.compare(word, 0, word.length, wordStart, wordEnd) === 0) return n;
  }
  return -1;
}
