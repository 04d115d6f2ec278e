// Routing hints written in SQL comments: /* pgdog_shard: 1 */, /* pgdog_sharding_key: abc */,
// /* pgdog_role: replica */ (pgDog's syntax). libpg-query drops comments, so we find them with
// our own scan, which must skip string literals and quoted identifiers exactly as PostgreSQL
// does: '/* pgdog_shard: 1 */' inside a string is data, not a hint.
import type { CommentHints } from './types.js';
import {
  Ch, blockCommentEnd, dollarStringEnd, dollarTagLength, escapedStringEnd, identEnd,
  isIdentStart, lineCommentEnd, quotedEnd,
} from './sql-scan.js';

export const NO_HINTS: CommentHints = Object.freeze({ shard: null, shardingKey: null, role: null });

const SHARD = /pgdog_shard:\s*([0-9]+)/;
const SHARDING_KEY = /pgdog_sharding_key:\s*(?:"([^"]*)"|'([^']*)'|([0-9a-zA-Z-]+))/;
const ROLE = /pgdog_role:\s*(primary|replica)\b/;

/** Marker every hint contains; comments without it can never carry a hint. */
export const HINT_MARKER = 'pgdog_';

export function scanHints(text: string): CommentHints {
  if (!text.includes(HINT_MARKER)) return NO_HINTS;
  const hints: CommentHints = { shard: null, shardingKey: null, role: null };
  forEachComment(text, (start, end) => {
    const body = text.slice(start, end);
    if (body.includes(HINT_MARKER)) readHints(body, hints);
  });
  return hints.shard === null && hints.shardingKey === null && hints.role === null ? NO_HINTS : hints;
}

/** Fills the hints still unset from one comment's text (first occurrence in the query wins). */
export function readHints(comment: string, hints: CommentHints): void {
  if (hints.shard === null) {
    const m = SHARD.exec(comment);
    if (m) hints.shard = Number(m[1]);
  }
  if (hints.shardingKey === null) {
    const m = SHARDING_KEY.exec(comment);
    if (m) hints.shardingKey = m[1] ?? m[2] ?? m[3] ?? null;
  }
  if (hints.role === null) {
    const m = ROLE.exec(comment);
    if (m) hints.role = m[1] as 'primary' | 'replica';
  }
}

/** Calls `visit(start, end)` for every comment; stops quietly at an unterminated token. */
export function forEachComment(text: string, visit: (start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let end: number;
    if (c === Ch.Minus && text.charCodeAt(i + 1) === Ch.Minus) {
      end = lineCommentEnd(text, i);
      visit(i, end);
    } else if (c === Ch.Slash && text.charCodeAt(i + 1) === Ch.Star) {
      end = blockCommentEnd(text, i);
      if (end < 0) end = n;
      visit(i, end);
    } else if (c === Ch.Quote) {
      end = quotedEnd(text, i, Ch.Quote);
    } else if (c === Ch.DoubleQuote) {
      end = quotedEnd(text, i, Ch.DoubleQuote);
    } else if (c === Ch.Dollar) {
      const tag = dollarTagLength(text, i);
      end = tag > 0 ? dollarStringEnd(text, i, tag) : i + 1;
    } else if (isIdentStart(c)) {
      end = identEnd(text, i);
      // E'...' is the one string form where a backslash can hide a quote.
      if (end === i + 1 && (c === 69 || c === 101) && text.charCodeAt(end) === Ch.Quote) {
        end = escapedStringEnd(text, end);
      }
    } else {
      end = i + 1;
    }
    if (end < 0) return;
    i = end;
  }
}
