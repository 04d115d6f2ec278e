// SASLprep (RFC 4013) as PostgreSQL applies it to SCRAM passwords (src/common/saslprep.c):
// pure ASCII passes unchanged; otherwise map (non-ASCII spaces -> U+0020, "commonly mapped to
// nothing" removed), NFKC, then reject prohibited code points and bad bidi strings. PostgreSQL
// then hashes the raw password bytes instead of failing, so `saslprep` returns null and the
// caller does the same.
//
// Tables are RFC 3454's. Two approximations, both documented: "unassigned" (A.1) uses the
// running ICU's Unicode version instead of Unicode 3.2, and "LCat" (bidi class L, table D.2) is
// taken as letters and spacing marks that are not RandALCat. They only matter for passwords
// that mix scripts or use code points assigned after 2002 and also change under NFKC.

type Ranges = readonly (readonly [number, number])[];

/** C.1.2 */
const NON_ASCII_SPACE: Ranges = [[0x00a0, 0x00a0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];

/** B.1 */
const MAPPED_TO_NOTHING: Ranges = [
  [0x00ad, 0x00ad], [0x034f, 0x034f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d],
  [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
];

/** C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9 */
const PROHIBITED: Ranges = [
  ...NON_ASCII_SPACE,
  [0x0000, 0x001f], [0x007f, 0x007f],
  [0x0080, 0x009f], [0x06dd, 0x06dd], [0x070f, 0x070f], [0x180e, 0x180e], [0x200c, 0x200d], [0x2028, 0x2029],
  [0x2060, 0x2063], [0x206a, 0x206f], [0xfeff, 0xfeff], [0xfff9, 0xfffc], [0x1d173, 0x1d17a],
  [0xe000, 0xf8ff], [0xf0000, 0xffffd], [0x100000, 0x10fffd],
  [0xfdd0, 0xfdef], [0xfffe, 0xffff], ...Array.from({ length: 16 }, (_, i) => [(i + 1) * 0x10000 + 0xfffe, (i + 1) * 0x10000 + 0xffff] as const),
  [0xd800, 0xdfff],
  [0xfff9, 0xfffd],
  [0x2ff0, 0x2ffb],
  [0x0340, 0x0341], [0x200e, 0x200f], [0x202a, 0x202e], [0x206a, 0x206f],
  [0xe0001, 0xe0001], [0xe0020, 0xe007f],
];

/** D.1: characters with bidi property R or AL. */
const RAND_AL_CAT: Ranges = [
  [0x05be, 0x05be], [0x05c0, 0x05c0], [0x05c3, 0x05c3], [0x05d0, 0x05ea], [0x05f0, 0x05f4], [0x061b, 0x061b],
  [0x061f, 0x061f], [0x0621, 0x063a], [0x0640, 0x064a], [0x066d, 0x066f], [0x0671, 0x06d5], [0x06dd, 0x06dd],
  [0x06e5, 0x06e6], [0x06fa, 0x06fe], [0x0700, 0x070d], [0x0710, 0x0710], [0x0712, 0x072c], [0x0780, 0x07a5],
  [0x07b1, 0x07b1], [0x200f, 0x200f], [0xfb1d, 0xfb1d], [0xfb1f, 0xfb28], [0xfb2a, 0xfb36], [0xfb38, 0xfb3c],
  [0xfb3e, 0xfb3e], [0xfb40, 0xfb41], [0xfb43, 0xfb44], [0xfb46, 0xfbb1], [0xfbd3, 0xfd3d], [0xfd50, 0xfd8f],
  [0xfd92, 0xfdc7], [0xfdf0, 0xfdfc], [0xfe70, 0xfe74], [0xfe76, 0xfefc],
];

const UNASSIGNED = /\p{Cn}/u;
const LETTER_LIKE = /[\p{L}\p{Mc}]/u;

function inRanges(cp: number, ranges: Ranges): boolean {
  for (const [lo, hi] of ranges) if (cp >= lo && cp <= hi) return true;
  return false;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The prepared password, or null when PostgreSQL would fall back to the raw bytes. */
export function saslprep(password: string): string | null {
  if (isAscii(password)) return password;
  const mapped: number[] = [];
  for (const ch of password) {
    const cp = ch.codePointAt(0) as number;
    if (inRanges(cp, NON_ASCII_SPACE)) mapped.push(0x20);
    else if (!inRanges(cp, MAPPED_TO_NOTHING)) mapped.push(cp);
  }
  if (mapped.length === 0) return null;
  const normalized = mapped.map((cp) => String.fromCodePoint(cp)).join('').normalize('NFKC');
  const cps = Array.from(normalized, (c) => c.codePointAt(0) as number);
  if (cps.length === 0) return null;
  for (const cp of cps) {
    if (inRanges(cp, PROHIBITED) || UNASSIGNED.test(String.fromCodePoint(cp))) return null;
  }
  // RFC 3454 §6: a string with any RandALCat character has no LCat character and starts and ends with RandALCat.
  const randAL = cps.map((cp) => inRanges(cp, RAND_AL_CAT));
  if (randAL.some(Boolean)) {
    if (!randAL[0] || !randAL[randAL.length - 1]) return null;
    if (cps.some((cp, i) => !randAL[i] && LETTER_LIKE.test(String.fromCodePoint(cp)))) return null;
  }
  return normalized;
}

/** The bytes PostgreSQL feeds to PBKDF2 for this password. */
export function scramPasswordBytes(password: string): Buffer {
  return Buffer.from(saslprep(password) ?? password, 'utf8');
}
