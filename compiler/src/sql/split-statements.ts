// Splits a SQL script into statements at top-level semicolons, for `pgdog route -f`. Comments
// before a statement stay with it (they may carry routing hints). The parser's own statement
// boundaries are used when the whole script parses, since only the parser knows bodies such as
// BEGIN ATOMIC ... END; otherwise a lexical scan that skips strings, quoted identifiers, dollar
// quotes and comments decides.
import { parseSql } from './parser.js';
import {
  Ch, blockCommentEnd, dollarStringEnd, dollarTagLength, escapedStringEnd, identEnd,
  isIdentStart, isSpace, lineCommentEnd, quotedEnd,
} from './sql-scan.js';

export interface ScriptStatement {
  text: string;
  /** Char offset of `text` in the script. */
  start: number;
}

/** Statements of `script`, trimmed, empty ones dropped. Needs the SQL parser loaded. */
export function splitStatements(script: string): ScriptStatement[] {
  const parsed = parseSql(script);
  // The parser starts a statement after its leading comments; a statement here starts where the
  // previous one ended, so a hint comment in front of it stays with it.
  const spans: [number, number][] = parsed.ok
    ? parsed.statements.map((s, i, all) => [i === 0 ? 0 : all[i - 1].end, s.end])
    : scanSpans(script);
  const out: ScriptStatement[] = [];
  for (const [from, to] of spans) {
    let s = from;
    let e = to;
    while (s < e && (isSpace(script.charCodeAt(s)) || script.charCodeAt(s) === 59)) s++;
    while (e > s && (isSpace(script.charCodeAt(e - 1)) || script.charCodeAt(e - 1) === 59)) e--;
    if (e > s && !onlyComments(script, s, e)) out.push({ text: script.slice(s, e), start: s });
  }
  return out;
}

/** [start, end) of each `;`-terminated piece, by a lexical scan. */
export function scanSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  const n = text.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let end: number;
    if (c === 59) {
      spans.push([start, i]);
      start = i + 1;
      end = i + 1;
    } else if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) {
      end = lineCommentEnd(text, i);
    } else if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      end = blockCommentEnd(text, i);
    } else if (c === Ch.Quote || c === Ch.DoubleQuote) {
      end = quotedEnd(text, i, c);
    } else if (c === Ch.Dollar) {
      const tag = dollarTagLength(text, i);
      end = tag > 0 ? dollarStringEnd(text, i, tag) : i + 1;
    } else if (isIdentStart(c)) {
      end = identEnd(text, i);
      if (end === i + 1 && (c === 69 || c === 101) && text.charCodeAt(end) === Ch.Quote) end = escapedStringEnd(text, end);
    } else {
      end = i + 1;
    }
    // An unterminated token runs to the end of the text: the rest is one (broken) statement.
    if (end < 0) break;
    i = end;
  }
  if (start < n) spans.push([start, n]);
  return spans;
}

function onlyComments(text: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) i = lineCommentEnd(text, i);
    else if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      const e = blockCommentEnd(text, i);
      if (e < 0) return true;
      i = e;
    } else return false;
  }
  return true;
}
