// A fast, hand-written lexer for the plan cache. It turns query text into a cache key in which
// every literal token is a placeholder, and reports where the literals are:
//
//   SELECT * FROM t WHERE id = 42   ->   "SELECT * FROM t WHERE id = \0i", literal 0 at 27..29
//
// Two texts get the same key only if they have the same token sequence apart from literal
// values, whitespace amounts and comments without pgdog hints. Everything else stays
// significant: identifiers and keywords verbatim (case too), operators (so `-1` and `1` differ),
// the number of literals (`IN (1,2)` vs `IN (1,2,3)`), the literal class (integer / numeric /
// string / bit string) and comments that may carry a hint. NUL cannot occur in PostgreSQL query
// text, which makes `\0` safe as the placeholder marker.
//
// Anything unusual returns null (the query is then analyzed without the cache): unterminated
// tokens, numbers with trailing junk, adjacent string literals (PostgreSQL concatenates them),
// UESCAPE, escapes we do not decode.
import {
  Ch, blockCommentEnd, dollarStringEnd, dollarTagLength, escapedStringEnd, identEnd, isDigit,
  isIdentCont, isIdentStart, isSpace, lineCommentEnd, quotedEnd,
} from './sql-scan.js';
import { LiteralKind, decodeEscapeString, decodeUnicodeString } from './literal-decode.js';
import { newLiteralSpans, pushLiteral, type LiteralSpans } from './literal-spans.js';
import { HINT_MARKER } from './hints.js';

export interface NormalizedSql {
  key: string;
  /** Literal tokens in text order: [starts[k], ends[k]) of kind kinds[k]. */
  starts: number[];
  ends: number[];
  kinds: LiteralKind[];
  /** Index of the last significant char before literal k (-1 if none); hint comments and
   *  whitespace do not count. libpg-query folds a `-` sign into a number and reports the
   *  sign's position, which this locates in any text with the same key. */
  before: number[];
}

const PLACEHOLDER: readonly string[] = (() => {
  const p: string[] = [];
  p[LiteralKind.Int] = '\0i';
  p[LiteralKind.Numeric] = '\0n';
  p[LiteralKind.String] = '\0s';
  p[LiteralKind.EscapeString] = '\0s';
  p[LiteralKind.UnicodeString] = '\0s';
  p[LiteralKind.DollarString] = '\0s';
  p[LiteralKind.BitString] = '\0b';
  p[LiteralKind.HexString] = '\0x';
  p[LiteralKind.BigInt] = '\0l';
  return p;
})();

// String.prototype.isWellFormed (Node 20) is not in our TS lib (ES2023).
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

const scratch = newLiteralSpans();

const enum Cls { Other = 0, Ident = 1, Operator = 2, Space = 3 }

/** Fast-lane classes of ASCII chars. `Other`: anything that needs a closer look (digits, quotes,
 *  `$`, `-`, `/`, `.`, whitespace other than a space, NUL). */
const CLASS = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if (isIdentStart(c)) t[c] = Cls.Ident;
    else if (c === Ch.Space) t[c] = Cls.Space;
    else if (c > 32 && c < 127 && !isDigit(c) && !'\'"$-/.'.includes(String.fromCharCode(c))) t[c] = Cls.Operator;
  }
  return t;
})();

/** A single space before this char is kept verbatim: the char neither extends the gap nor may
 *  start a comment. */
const SPACE_KEPT_BEFORE = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) t[c] = isSpace(c) || c === Ch.Minus || c === Ch.Slash ? 0 : 1;
  return t;
})();

/** isIdentCont for ASCII, as a table (chars >= 128 all continue an identifier). */
const IDENT_CONT = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) t[c] = isIdentCont(c) ? 1 : 0;
  return t;
})();

export function normalizeSql(text: string): NormalizedSql | null {
  const key = shapeKey(text, scratch);
  if (key === null) return null;
  const n = scratch.count;
  return {
    key,
    starts: Array.from(scratch.starts.subarray(0, n)),
    ends: Array.from(scratch.ends.subarray(0, n)),
    kinds: Array.from(scratch.kinds.subarray(0, n)) as LiteralKind[],
    before: Array.from(scratch.before.subarray(0, n)),
  };
}

/** The cache key of `text` (see the top of this file), with its literal tokens written to
 *  `spans`; null when the text is declined. */
export function shapeKey(text: string, spans: LiteralSpans): string | null {
  // NUL never reaches PostgreSQL inside a query, and it is our placeholder marker. A lone
  // surrogate cannot come from UTF-8 on the wire, and libpg-query's encoder mangles it.
  if (text.includes('\0') || (isWellFormed !== undefined && !isWellFormed.call(text))) return null;
  spans.count = 0;
  const n = text.length;
  markerState = Marker.Unknown;
  let key = '';
  let last = -1; // last char of the last significant token
  let from = 0; // text[from, i) is still to be copied to the key verbatim
  let i = 0;
  let unicodeQuotes = false;
  // FLOAT(p) is the one place the grammar looks at an integer's value to build the tree
  // (float4 for p <= 24, else float8), so p stays in the key: 1 after FLOAT, 2 after its `(`.
  let floatPrecision = 0;

  while (i < n) {
    const c = text.charCodeAt(i);
    // Fast lane for what most of a query is: keywords and names, one-char operators and single
    // spaces. Everything else (and any doubt) takes the general path below.
    if (c < 128) {
      const cls = CLASS[c];
      if (cls === Cls.Operator || (c === Ch.Dot && !isDigit(text.charCodeAt(i + 1)))) {
        floatPrecision = c === 40 && floatPrecision === 1 ? 2 : 0;
        last = i;
        i++;
        continue;
      }
      if (cls === Cls.Space) {
        // One inner space before a token that cannot start a comment: kept as it is.
        const next = text.charCodeAt(i + 1);
        if (i > 0 && i + 1 < n && (next >= 128 || SPACE_KEPT_BEFORE[next] === 1)) {
          i++;
          continue;
        }
      } else if (cls === Cls.Ident) {
        let end = i + 1;
        while (end < n) {
          const d = text.charCodeAt(end);
          if (d < 128 && IDENT_CONT[d] === 0) break;
          end++;
        }
        const after = text.charCodeAt(end);
        // A one-letter name before a quote or `&` may start E'..', B'..', X'..' or U&'..'.
        if (end > i + 1 || (after !== Ch.Quote && after !== Ch.Ampersand)) {
          floatPrecision = end - i === 5 && (c | 0x20) === 102 && text.slice(i, end).toLowerCase() === 'float' ? 1 : 0;
          last = end - 1;
          i = end;
          continue;
        }
      }
    }
    const next = text.charCodeAt(i + 1);
    const lineComment = c === Ch.Minus && next === Ch.Minus;
    const blockComment = c === Ch.Slash && next === Ch.Star;
    if (isSpace(c) || lineComment || blockComment) {
      const end = gapEnd(text, i, true);
      if (end < 0) return null;
      if (end > i) {
        // Inner single spaces are the common case and stay as they are; any other gap becomes
        // one space, and leading / trailing gaps disappear.
        if (!(c === Ch.Space && end === i + 1 && i > 0 && end < n)) {
          key += text.slice(from, i);
          if (i > 0 && end < n) key += ' ';
          from = end;
        }
        i = end;
        continue;
      }
      // A comment that may carry a hint is part of the key, verbatim. A line comment gets a
      // newline terminator so the key cannot be read as a longer comment.
      if (lineComment) {
        const e = lineCommentEnd(text, i);
        key += `${text.slice(from, e)}\n`;
        from = e;
        i = e;
      } else {
        i = blockCommentEnd(text, i);
      }
      continue;
    }

    let end: number;
    let nextFloatPrecision = 0;
    let kind = 0; // a literal token of this kind, 0 for any other token
    let literalEnd = 0;
    if (isDigit(c) || (c === Ch.Dot && isDigit(next))) {
      end = numberEnd(text, i);
      if (end < 0) return null;
      if (floatPrecision !== 2 || numberKind === LiteralKind.Numeric) kind = numberKind;
    } else if (isIdentStart(c)) {
      end = identEnd(text, i);
      if (end - i === 5 && (c | 0x20) === 102 && text.slice(i, end).toLowerCase() === 'float') {
        nextFloatPrecision = 1;
      }
      if (end === i + 1) {
        const after = text.charCodeAt(end);
        const lower = c | 0x20;
        if (after === Ch.Quote && (lower === 101 || lower === 98 || lower === 120)) {
          // E'..' (escapes), B'..' (bits), X'..' (hex bits). N'..' needs nothing special: the
          // N stays in the key and the string that follows is a plain literal.
          const close = lower === 101 ? escapedStringEnd(text, end) : quotedEnd(text, end, Ch.Quote);
          if (close < 0 || continuesString(text, close)) return null;
          if (lower === 101) {
            if (decodeEscapeString(text, end + 1, close - 1) === null) return null;
            kind = LiteralKind.EscapeString;
          } else {
            kind = lower === 98 ? LiteralKind.BitString : LiteralKind.HexString;
          }
          end = close;
        } else if (lower === 117 && after === Ch.Ampersand) {
          const q = text.charCodeAt(end + 1);
          if (q === Ch.Quote || q === Ch.DoubleQuote) unicodeQuotes = true;
          if (q === Ch.Quote) {
            const close = quotedEnd(text, end + 1, Ch.Quote);
            if (close < 0 || continuesString(text, close)) return null;
            if (decodeUnicodeString(text.slice(end + 2, close - 1).replaceAll("''", "'")) === null) return null;
            kind = LiteralKind.UnicodeString;
            end = close;
          }
        }
      }
    } else if (c === Ch.Quote) {
      end = quotedEnd(text, i, Ch.Quote);
      if (end < 0 || continuesString(text, end)) return null;
      kind = LiteralKind.String;
    } else if (c === Ch.DoubleQuote) {
      end = quotedEnd(text, i, Ch.DoubleQuote);
      if (end < 0) return null;
    } else if (c === Ch.Dollar) {
      if (isDigit(next)) { // $n parameter: part of the shape
        end = i + 2;
        while (end < n && isDigit(text.charCodeAt(end))) end++;
      } else {
        const tag = dollarTagLength(text, i);
        if (tag === 0) return null;
        end = dollarStringEnd(text, i, tag);
        if (end < 0) return null;
        kind = LiteralKind.DollarString;
      }
    } else {
      if (c === 0) return null;
      end = i + 1;
      if (c === 40 && floatPrecision === 1) nextFloatPrecision = 2;
    }
    if (kind !== 0) {
      literalEnd = end;
      pushLiteral(spans, i, literalEnd, kind, last);
      key += text.slice(from, i) + PLACEHOLDER[kind]!;
      from = literalEnd;
    }
    floatPrecision = nextFloatPrecision;
    last = end - 1;
    i = end;
  }
  // UESCAPE changes what the escapes in U&'..' / U&".." mean; not worth modelling.
  if (unicodeQuotes && /uescape/i.test(text)) return null;
  return from === 0 ? text : key + text.slice(from, n);
}

const enum Marker { Unknown, Present, Absent }

/** Whether the text shapeKey scans mentions the hint marker at all: searched for once, when the
 *  first comment turns up (most queries have none, and the search costs more than the scan). */
let markerState = Marker.Unknown;

function mentionsMarker(text: string): boolean {
  if (markerState === Marker.Unknown) markerState = text.includes(HINT_MARKER) ? Marker.Present : Marker.Absent;
  return markerState === Marker.Present;
}

/** End of a run of whitespace and comments that cannot carry hints (`hints`: the text of the
 *  current shapeKey scan, whose comments may); stops before a comment that might. -1 on an
 *  unterminated block comment. */
function gapEnd(text: string, i: number, hints: boolean): number {
  const n = text.length;
  let j = i;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (isSpace(c)) {
      j++;
      continue;
    }
    const next = text.charCodeAt(j + 1);
    let end: number;
    if (c === Ch.Minus && next === Ch.Minus) end = lineCommentEnd(text, j);
    else if (c === Ch.Slash && next === Ch.Star) {
      end = blockCommentEnd(text, j);
      if (end < 0) return -1;
    } else break;
    if (hints && mentionsMarker(text) && mayHoldHint(text, j, end)) break;
    j = end;
  }
  return j;
}

function mayHoldHint(text: string, start: number, end: number): boolean {
  const k = text.indexOf(HINT_MARKER, start);
  return k >= 0 && k + HINT_MARKER.length <= end;
}

/** PostgreSQL joins string literals separated by whitespace with a newline; a key cannot
 *  express that, so such queries bypass the cache (as does the syntax error without one). */
function continuesString(text: string, end: number): boolean {
  const j = gapEnd(text, end, false);
  return j >= 0 && text.charCodeAt(j) === Ch.Quote;
}

/** Set by numberEnd: kind of the number just scanned. */
let numberKind: LiteralKind = LiteralKind.Int;

/** End of a numeric literal at `i` (PostgreSQL 16+ syntax: 0x / 0o / 0b prefixes, `_`
 *  separators), or -1 when PostgreSQL would reject it (trailing junk such as `1abc`, `1..2`). */
function numberEnd(text: string, i: number): number {
  let j = i;
  numberKind = LiteralKind.Int;
  const c = text.charCodeAt(i);
  // The common case first: plain decimal digits ending the token.
  while (isDigit(text.charCodeAt(j))) j++;
  const after = text.charCodeAt(j);
  if (j > i && !isIdentCont(after) && after !== Ch.Dot) {
    if (j - i > 9 && !fitsInt32(text, i, j)) numberKind = LiteralKind.BigInt;
    return j;
  }
  j = i;
  if (c === Ch.Zero) {
    const p = text.charCodeAt(i + 1) | 0x20;
    const radix = p === 120 ? 16 : p === 111 ? 8 : p === 98 ? 2 : 0;
    if (radix !== 0) {
      j = digitsEnd(text, i + 2, radix, true);
      if (j < 0 || isIdentCont(text.charCodeAt(j)) || text.charCodeAt(j) === Ch.Dot) return -1;
      if (!fitsInt32(text, i, j)) numberKind = LiteralKind.BigInt;
      return j;
    }
  }
  if (c !== Ch.Dot) {
    j = digitsEnd(text, i, 10, false);
    if (j < 0) return -1;
  }
  if (text.charCodeAt(j) === Ch.Dot) {
    if (text.charCodeAt(j + 1) === Ch.Dot) return -1;
    numberKind = LiteralKind.Numeric;
    j++;
    if (isDigit(text.charCodeAt(j))) {
      j = digitsEnd(text, j, 10, false);
      if (j < 0) return -1;
    }
  }
  if ((text.charCodeAt(j) | 0x20) === 101) {
    let k = j + 1;
    const s = text.charCodeAt(k);
    if (s === Ch.Plus || s === Ch.Minus) k++;
    if (!isDigit(text.charCodeAt(k))) return -1;
    j = digitsEnd(text, k, 10, false);
    if (j < 0) return -1;
    numberKind = LiteralKind.Numeric;
  }
  const t = text.charCodeAt(j);
  if (isIdentCont(t) || t === Ch.Dot) return -1;
  if (numberKind === LiteralKind.Int && !fitsInt32(text, i, j)) numberKind = LiteralKind.BigInt;
  return j;
}

/** Whether an unsigned integer token fits int32 (PostgreSQL then scans it as ICONST). */
function fitsInt32(text: string, start: number, end: number): boolean {
  if (end - start <= 9) {
    let decimal = true;
    for (let k = start; k < end; k++) if (!isDigit(text.charCodeAt(k))) decimal = false;
    if (decimal) return true;
  }
  return BigInt(text.slice(start, end).replaceAll('_', '')) <= 2147483647n;
}

/** Digits of `radix` with single `_` between digits (and, after a 0x / 0o / 0b prefix, before
 *  the first one); -1 if there are none or a `_` is misplaced. */
function digitsEnd(text: string, i: number, radix: number, afterPrefix: boolean): number {
  let j = i;
  let any = false;
  for (;;) {
    const c = text.charCodeAt(j);
    if (isRadixDigit(c, radix)) {
      any = true;
      j++;
    } else if (c === Ch.Underscore && (any || (afterPrefix && j === i)) && isRadixDigit(text.charCodeAt(j + 1), radix)) {
      j++;
    } else {
      return any ? j : -1;
    }
  }
}

function isRadixDigit(c: number, radix: number): boolean {
  if (radix === 10) return isDigit(c);
  if (radix === 16) return isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
  if (radix === 8) return c >= Ch.Zero && c <= 55;
  return c === Ch.Zero || c === 49;
}
