// UUID text as PostgreSQL's uuid_in reads it: 32 hex digits in either case, optionally wrapped in
// braces, with an optional hyphen after any group of four digits (so the standard 8-4-4-4-12 form,
// the bare 32-digit form and looser groupings such as 4-4-4-... all parse). No white space.

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(i.toString(16).padStart(2, '0'));

function hexAt(code: number): number {
  return code < 128 ? HEX_VALUE[code] : -1;
}

function parse(n: number, at: (i: number) => number): Uint8Array | undefined {
  let p = 0;
  let braces = false;
  if (n > 0 && at(0) === 0x7b /* { */) {
    braces = true;
    p = 1;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    if (p + 1 >= n) return undefined;
    const hi = hexAt(at(p));
    const lo = hexAt(at(p + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
    p += 2;
    if ((i & 1) === 1 && i < 15 && p < n && at(p) === 0x2d /* - */) p++;
  }
  if (braces) {
    if (p >= n || at(p) !== 0x7d /* } */) return undefined;
    p++;
  }
  return p === n ? out : undefined;
}

/** The 16 bytes (RFC 4122 order) of a uuid_in-accepted text, or undefined. */
export function parseUuidText(text: string | Uint8Array): Uint8Array | undefined {
  return typeof text === 'string'
    ? parse(text.length, (i) => text.charCodeAt(i))
    : parse(text.length, (i) => text[i]);
}

/** 32 lowercase hex digits: their string order is the UUID's byte order. */
export function uuidToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += HEX_PAIRS[bytes[i]];
  return s;
}

/** The canonical 8-4-4-4-12 form, as uuid_out prints it. */
export function formatUuid(bytes: Uint8Array): string {
  const h = uuidToHex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
