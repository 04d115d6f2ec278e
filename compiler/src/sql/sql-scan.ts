// Lexical primitives shared by the comment-hint scanner and the normalizer. They follow
// PostgreSQL's scan.l (standard_conforming_strings on): each takes the index of a token's first
// char and returns the index just past it, or -1 when the token is unterminated.

export const enum Ch {
  Tab = 9, Newline = 10, VerticalTab = 11, FormFeed = 12, Return = 13, Space = 32,
  Quote = 39, DoubleQuote = 34, Dollar = 36, Ampersand = 38, Plus = 43, Minus = 45, Dot = 46,
  Slash = 47, Star = 42, Backslash = 92, Underscore = 95, Zero = 48, Nine = 57,
}

export function isSpace(c: number): boolean {
  return c === Ch.Space || (c >= Ch.Tab && c <= Ch.Return);
}

export function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

/** [A-Za-z_] or any non-ASCII char (PostgreSQL treats high-bit bytes as letters). */
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === Ch.Underscore || c >= 0x80;
}

export function isIdentCont(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === Ch.Dollar;
}

export function identEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && isIdentCont(text.charCodeAt(j))) j++;
  return j;
}

/** `'...'` or `"..."` where a doubled quote escapes it. `i` is at the opening quote. */
export function quotedEnd(text: string, i: number, quote: number): number {
  let j = i + 1;
  for (;;) {
    const k = text.indexOf(quote === Ch.Quote ? "'" : '"', j);
    if (k < 0) return -1;
    if (text.charCodeAt(k + 1) === quote) j = k + 2;
    else return k + 1;
  }
}

/** E'...': a backslash escapes the next char, `''` is a quote. `i` is at the opening quote. */
export function escapedStringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === Ch.Backslash) j++;
    else if (c === Ch.Quote) {
      if (text.charCodeAt(j + 1) === Ch.Quote) j++;
      else return j + 1;
    }
  }
  return -1;
}

/** Length of the `$tag$` delimiter starting at `i`, or 0 when `i` does not start one. */
export function dollarTagLength(text: string, i: number): number {
  let j = i + 1;
  if (j < text.length && text.charCodeAt(j) !== Ch.Dollar) {
    if (!isIdentStart(text.charCodeAt(j))) return 0;
    j++;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === Ch.Dollar || !(isIdentStart(c) || isDigit(c))) break;
      j++;
    }
  }
  return text.charCodeAt(j) === Ch.Dollar ? j - i + 1 : 0;
}

/** `$tag$...$tag$`; `i` is at the first `$`, `tagLength` from dollarTagLength. */
export function dollarStringEnd(text: string, i: number, tagLength: number): number {
  const close = text.indexOf(text.slice(i, i + tagLength), i + tagLength);
  return close < 0 ? -1 : close + tagLength;
}

/** `-- ...` up to (not including) the newline. */
export function lineCommentEnd(text: string, i: number): number {
  let j = i + 2;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === Ch.Newline || c === Ch.Return) break;
    j++;
  }
  return j;
}

/** `/* ... *\/`, nested as PostgreSQL nests them. */
export function blockCommentEnd(text: string, i: number): number {
  let depth = 1;
  let j = i + 2;
  while (j < text.length - 1) {
    const c = text.charCodeAt(j);
    if (c === Ch.Star && text.charCodeAt(j + 1) === Ch.Slash) {
      j += 2;
      if (--depth === 0) return j;
    } else if (c === Ch.Slash && text.charCodeAt(j + 1) === Ch.Star) {
      depth++;
      j += 2;
    } else j++;
  }
  return -1;
}
