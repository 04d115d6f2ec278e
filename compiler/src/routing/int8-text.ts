// The text forms PostgreSQL's int8in accepts: surrounding white space, an optional sign, decimal
// digits; since PostgreSQL 16 also 0x/0o/0b prefixes and single underscores between digits (a
// server that predates them rejects such input itself, so accepting them never misroutes).
//
// The common case (at most 15 significant decimal digits, always exact in a double) is scanned
// without allocating; everything else goes through BigInt. Failures return undefined and the cold
// `int8TextError` says why, so the hot path builds no message.

/** An int64 from text: a number when it is a safe integer, otherwise a bigint; undefined if invalid. */
export type Int64Value = number | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** C isspace() in the C locale: space, \t, \n, \v, \f, \r. */
function isSpace(ch: number): boolean {
  return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
}

/** Canonical form: a safe integer as a number, anything else as a bigint (never -0). */
export function normalizeInt64(value: bigint): Int64Value {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

function scanString(s: string): Int64Value | undefined {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 0x2d) { neg = true; i++; } else if (sign === 0x2b) i++;
  const first = i;
  let v = 0;
  while (i < n) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  if (i === first || i - first > 15) return slowPath(s);
  let j = i;
  while (j < n && isSpace(s.charCodeAt(j))) j++;
  if (j !== n) return slowPath(s);
  return neg ? (v === 0 ? 0 : -v) : v;
}

function scanBytes(s: Uint8Array): Int64Value | undefined {
  const n = s.length;
  let i = 0;
  while (i < n && isSpace(s[i])) i++;
  let neg = false;
  const sign = s[i];
  if (sign === 0x2d) { neg = true; i++; } else if (sign === 0x2b) i++;
  const first = i;
  let v = 0;
  while (i < n) {
    const d = s[i] - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    i++;
  }
  if (i === first || i - first > 15) return slowPath(bytesToLatin1(s));
  let j = i;
  while (j < n && isSpace(s[j])) j++;
  if (j !== n) return slowPath(bytesToLatin1(s));
  return neg ? (v === 0 ? 0 : -v) : v;
}

function bytesToLatin1(s: Uint8Array): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(s[i]);
  return out;
}

const RADIX: Record<string, { radix: number; digit: RegExp }> = {
  x: { radix: 16, digit: /[0-9a-f]/i },
  o: { radix: 8, digit: /[0-7]/ },
  b: { radix: 2, digit: /[01]/ },
};

/** Full grammar, exact: returns the value or undefined (syntax error or out of range). */
function slowPath(s: string): Int64Value | undefined {
  const parsed = parseFull(s);
  return typeof parsed === 'bigint' ? normalizeInt64(parsed) : undefined;
}

/** bigint, or the kind of failure. */
function parseFull(s: string): bigint | 'syntax' | 'range' {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '-') { neg = true; i++; } else if (s[i] === '+') i++;
  let radix = 10;
  let digit = /[0-9]/;
  // An underscore may follow a base prefix directly, but may not start a decimal number.
  let underscoreOk = false;
  const prefix = s[i] === '0' ? RADIX[(s[i + 1] ?? '').toLowerCase()] : undefined;
  if (prefix) {
    radix = prefix.radix;
    digit = prefix.digit;
    i += 2;
    underscoreOk = true;
  }
  let digits = '';
  while (i < n) {
    const ch = s[i];
    if (digit.test(ch)) {
      digits += ch;
      underscoreOk = true;
      i++;
    } else if (ch === '_') {
      if (!underscoreOk || i + 1 >= n || !digit.test(s[i + 1])) return 'syntax';
      underscoreOk = false;
      i++;
    } else break;
  }
  if (digits === '') return 'syntax';
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (i !== n) return 'syntax';
  const magnitude = radix === 10 ? BigInt(digits) : BigInt((radix === 16 ? '0x' : radix === 8 ? '0o' : '0b') + digits);
  const value = neg ? -magnitude : magnitude;
  if (value < INT64_MIN || value > INT64_MAX) return 'range';
  return value;
}

/** Parse int8in text (a SQL literal or a text-format Bind parameter). */
export function parseInt64Text(text: string | Uint8Array): Int64Value | undefined {
  return typeof text === 'string' ? scanString(text) : scanBytes(text);
}

/** Why `parseInt64Text` rejected `text`, worded like PostgreSQL's own errors. */
export function int64TextError(text: string | Uint8Array): string {
  const s = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8');
  return parseFull(s) === 'range'
    ? `value "${s}" is out of range for type bigint`
    : `invalid input syntax for type bigint: "${s}"`;
}
