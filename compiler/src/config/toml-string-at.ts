// The raw text of a TOML string value (quotes included) that starts at a file position, so that
// an offset inside the decoded value can be mapped back to the file (rules/toml-position.ts).

import type { Position } from './positions.js';

/** Char offset of a 1-based line:column (column in UTF-16 units). */
function offsetOf(text: string, pos: Position): number {
  let at = 0;
  for (let line = 1; line < pos.line; line++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return Math.min(at + pos.column - 1, text.length);
}

/** The string token at `pos`, or null if no string starts there. */
export function tomlStringAt(text: string, pos: Position): string | null {
  const start = offsetOf(text, pos);
  const q = text[start];
  if (q !== '"' && q !== "'") return null;
  const multi = text.startsWith(q.repeat(3), start);
  if (multi) {
    const close = text.indexOf(q.repeat(3), start + 3);
    if (close < 0) return null;
    // Up to two quotes may sit right before the closing delimiter: `""""` ends the value with `"`.
    let end = close + 3;
    while (end < text.length && text[end] === q && end - close < 5) end++;
    return text.slice(start, end);
  }
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') return null;
    if (q === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === q) return text.slice(start, i + 1);
  }
  return null;
}
