// Decodes literal tokens found by the normalizer into the values libpg-query would produce, so
// the plan cache can re-bind a new query's literals without parsing it. Any escape we are not
// sure PostgreSQL accepts in the same way (bytes >= 0x80, NUL, surrogates) decodes to null and
// the query is simply not served from the cache.
import { Ch, isDigit } from './sql-scan.js';

export const enum LiteralKind {
  /** An integer that fits int32: PostgreSQL's ICONST token. */
  Int = 1,
  Numeric = 2,
  /** '...' */
  String = 3,
  /** E'...' */
  EscapeString = 4,
  /** U&'...' */
  UnicodeString = 5,
  /** $$...$$ / $tag$...$tag$ */
  DollarString = 6,
  /** B'...' */
  BitString = 7,
  /** X'...' */
  HexString = 8,
  /** An integer beyond int32: PostgreSQL scans it as FCONST, which some grammar positions
   *  (FETCH counts, type modifiers) reject, so it must not share a key with a small one. */
  BigInt = 9,
}

/** Text of a string-like literal token, or null when it cannot be decoded safely. */
export function decodeStringToken(text: string, start: number, end: number, kind: LiteralKind): string | null {
  switch (kind) {
    case LiteralKind.String:
      return undoubleQuotes(text.slice(start + 1, end - 1));
    case LiteralKind.EscapeString:
      return decodeEscapeString(text, start + 2, end - 1);
    case LiteralKind.UnicodeString:
      return decodeUnicodeString(undoubleQuotes(text.slice(start + 3, end - 1)));
    case LiteralKind.DollarString: {
      const tag = text.indexOf('$', start + 1) - start + 1;
      return text.slice(start + tag, end - tag);
    }
    case LiteralKind.BitString:
      return `b${text.slice(start + 2, end - 1)}`;
    case LiteralKind.HexString:
      return `x${text.slice(start + 2, end - 1)}`;
    default:
      return null;
  }
}

function undoubleQuotes(s: string): string {
  return s.includes("''") ? s.replaceAll("''", "'") : s;
}

function hexValue(c: number): number {
  if (isDigit(c)) return c - Ch.Zero;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** `count` hex digits at `i`, or -1. */
function readHex(s: string, i: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const h = hexValue(s.charCodeAt(i + k));
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

function validCodePoint(v: number): boolean {
  return v > 0 && v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff);
}

/** E'...' body between `from` and `to` (exclusive): backslash escapes as in PostgreSQL. */
export function decodeEscapeString(text: string, from: number, to: number): string | null {
  let out = '';
  let run = from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === Ch.Quote) {
      // '' inside E'...' is one quote.
      out += text.slice(run, i + 1);
      i++;
      run = i + 1;
      continue;
    }
    if (c !== Ch.Backslash) continue;
    out += text.slice(run, i);
    const d = text.charCodeAt(i + 1);
    let skip = 1; // chars consumed after the backslash
    switch (d) {
      case 98: out += '\b'; break;
      case 102: out += '\f'; break;
      case 110: out += '\n'; break;
      case 114: out += '\r'; break;
      case 116: out += '\t'; break;
      case 120: { // \x with 1-2 hex digits; without any it is just "x"
        const h1 = hexValue(text.charCodeAt(i + 2));
        if (h1 < 0) { out += 'x'; break; }
        const h2 = i + 3 < to ? hexValue(text.charCodeAt(i + 3)) : -1;
        const v = h2 < 0 ? h1 : h1 * 16 + h2;
        if (v === 0 || v >= 0x80) return null; // raw bytes: PostgreSQL validates UTF-8 of the whole string
        out += String.fromCharCode(v);
        skip = h2 < 0 ? 2 : 3;
        break;
      }
      case 117: // \uXXXX
      case 85: { // \UXXXXXXXX
        const n = d === 117 ? 4 : 8;
        if (i + 1 + n >= to) return null;
        const v = readHex(text, i + 2, n);
        if (!validCodePoint(v)) return null;
        out += String.fromCodePoint(v);
        skip = 1 + n;
        break;
      }
      default:
        if (d >= Ch.Zero && d <= 55) { // \ooo, 1-3 octal digits
          let v = 0;
          let k = 0;
          while (k < 3 && i + 1 + k < to) {
            const o = text.charCodeAt(i + 1 + k);
            if (o < Ch.Zero || o > 55) break;
            v = v * 8 + (o - Ch.Zero);
            k++;
          }
          if (v === 0 || v >= 0x80) return null;
          out += String.fromCharCode(v);
          skip = k;
        } else {
          if (i + 1 >= to) return null;
          // Any other char stands for itself (also a quote or a backslash). Keep a surrogate
          // pair whole.
          const hi = d >= 0xd800 && d <= 0xdbff;
          out += text.slice(i + 1, i + (hi ? 3 : 2));
          skip = hi ? 2 : 1;
        }
    }
    i += skip;
    run = i + 1;
  }
  return out + text.slice(run, to);
}

/** U&'...' body (quotes already undoubled): \XXXX, \+XXXXXX and \\ (default escape char). */
export function decodeUnicodeString(s: string): string | null {
  if (!s.includes('\\')) return s;
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== Ch.Backslash) continue;
    out += s.slice(run, i);
    if (s.charCodeAt(i + 1) === Ch.Backslash) {
      out += '\\';
      i += 1;
    } else {
      const plus = s.charCodeAt(i + 1) === Ch.Plus;
      const n = plus ? 6 : 4;
      const at = plus ? i + 2 : i + 1;
      if (at + n > s.length) return null;
      const v = readHex(s, at, n);
      if (!validCodePoint(v)) return null;
      out += String.fromCodePoint(v);
      i = at + n - 1;
    }
    run = i + 1;
  }
  return out + s.slice(run);
}
