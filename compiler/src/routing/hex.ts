// 16 lowercase hex digits of a 64-bit hash, by table lookup: the route of every keyed statement
// carries one, and toString(16) + padStart costs more than the hash itself.
import type { Hash64 } from './hash.js';

const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function word(w: number): string {
  return BYTE_HEX[(w >>> 24) & 255] + BYTE_HEX[(w >>> 16) & 255] + BYTE_HEX[(w >>> 8) & 255] + BYTE_HEX[w & 255];
}

export function hashHex(h: Hash64): string {
  return word(h.hi) + word(h.lo);
}
