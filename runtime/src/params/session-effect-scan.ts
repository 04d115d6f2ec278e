// A byte look at a query text that says whether it may change the client's session (SET, RESET,
// DISCARD, DEALLOCATE, LISTEN, PREPARE, DECLARE, CREATE TEMP, session advisory locks,
// set_config, SELECT INTO TEMP). Only texts it flags are parsed, so the pass-through hot path
// never pays for SQL analysis. It may say yes wrongly (a keyword in a string literal, a column
// named `into_temp`); it must never say no to a statement that has such an effect.

/** First words that start a statement with a possible session effect (lower case). */
const LEADING: readonly string[] = ['set', 'reset', 'discard', 'deallocate', 'listen', 'prepare', 'declare', 'create'];
/** Transaction control: it matters while a transaction holds parameter changes pgdog tracks. */
const TRANSACTION: readonly string[] = ['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release'];

const LOWER = 0x20;
const SEMICOLON = 0x3b;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const NEWLINE = 0x0a;

/** What a byte may start, for mayAffectSession's scan: 0 for most bytes. */
const SEMI = 1;
const A = 2;
const S = 3;
const I = 4;
const T = 5;
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[SEMICOLON] = SEMI;
for (const [letter, k] of [['a', A], ['s', S], ['i', I], ['t', T]] as const) {
  BYTE_CLASS[letter.charCodeAt(0)] = k;
  BYTE_CLASS[letter.toUpperCase().charCodeAt(0)] = k;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isLetter(c: number): boolean {
  const l = c | LOWER;
  return l >= 0x61 && l <= 0x7a;
}

/** `buf[at..)` starts with `word` (lower case ASCII), case-insensitively. */
function matchesAt(buf: Buffer, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = buf[at + i];
    // Only letters fold: `_` | 0x20 would not be `_` any more.
    if ((c >= 0x41 && c <= 0x5a ? c | LOWER : c) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Skips whitespace and comments; returns the first position of anything else. */
function skipBlank(buf: Buffer, pos: number, end: number): number {
  while (pos < end) {
    const c = buf[pos];
    if (isSpace(c)) pos++;
    else if (c === DASH && buf[pos + 1] === DASH) {
      while (pos < end && buf[pos] !== NEWLINE) pos++;
    } else if (c === SLASH && buf[pos + 1] === STAR) {
      pos += 2;
      while (pos < end && !(buf[pos] === STAR && buf[pos + 1] === SLASH)) pos++;
      pos += 2;
    } else break;
  }
  return pos;
}

function oneOf(words: readonly string[], buf: Buffer, pos: number, end: number, len: number): boolean {
  for (let i = 0; i < words.length; i++) if (words[i].length === len && matchesAt(buf, pos, end, words[i])) return true;
  return false;
}

function leadingWordMatches(buf: Buffer, pos: number, end: number, withTransaction: boolean): boolean {
  let wordEnd = pos;
  while (wordEnd < end && isLetter(buf[wordEnd])) wordEnd++;
  const len = wordEnd - pos;
  if (len < 3) return false;
  return oneOf(LEADING, buf, pos, end, len) || (withTransaction && oneOf(TRANSACTION, buf, pos, end, len));
}

/**
 * True when the SQL text in `buf[start, end)` may change session state. Statement starts are the
 * text's start and every `;`; `advisory`, `set_config` and `into` + `temp` are looked for anywhere.
 * `withTransaction`: BEGIN / COMMIT / ROLLBACK / SAVEPOINT ... count too.
 */
export function mayAffectSession(buf: Buffer, start: number, end: number, withTransaction: boolean): boolean {
  let pos = skipBlank(buf, start, end);
  if (leadingWordMatches(buf, pos, end, withTransaction)) return true;
  let into = false;
  let temp = false;
  for (; pos < end; pos++) {
    // One table load per byte; the few bytes that may start something of interest are looked at
    // further, and a word is compared only when its second letter matches too.
    const k = BYTE_CLASS[buf[pos]];
    if (k === 0) continue;
    const second = buf[pos + 1] | LOWER;
    switch (k) {
      case SEMI: {
        const next = skipBlank(buf, pos + 1, end);
        if (leadingWordMatches(buf, next, end, withTransaction)) return true;
        break;
      }
      case A:
        if (second === 0x64 /* d */ && matchesAt(buf, pos, end, 'advisory')) return true;
        break;
      case S:
        if (second === 0x65 /* e */ && matchesAt(buf, pos, end, 'set_config')) return true;
        break;
      case I:
        if (!into && second === 0x6e /* n */ && matchesAt(buf, pos, end, 'into')) into = true;
        break;
      case T:
        if (!temp && second === 0x65 /* e */ && matchesAt(buf, pos, end, 'temp')) temp = true;
        break;
    }
  }
  return into && temp;
}
