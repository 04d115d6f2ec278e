// 16 lowercase hex digits of a 64-bit hash, by table lookup: the route of every keyed statement
// carries one, and toString(16) + padStart costs more than the hash itself.
import type { Hash64 } from './hash.js';

const DIGIT: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

export function hashHex(h: Hash64): string {
  // One fromCharCode call builds the string flat; joining byte pairs took seven concatenations.
  const a = h.hi;
  const b = h.lo;
  return String.fromCharCode(
    DIGIT[a >>> 28], DIGIT[(a >>> 24) & 15], DIGIT[(a >>> 20) & 15], DIGIT[(a >>> 16) & 15],
    DIGIT[(a >>> 12) & 15], DIGIT[(a >>> 8) & 15], DIGIT[(a >>> 4) & 15], DIGIT[a & 15],
    DIGIT[b >>> 28], DIGIT[(b >>> 24) & 15], DIGIT[(b >>> 20) & 15], DIGIT[(b >>> 16) & 15],
    DIGIT[(b >>> 12) & 15], DIGIT[(b >>> 8) & 15], DIGIT[(b >>> 4) & 15], DIGIT[b & 15],
  );
}
