// PostgreSQL's hash partitioning, bit for bit: Jenkins lookup3 (`hash_bytes_extended`,
// `hash_bytes_uint32_extended`) as a little-endian server computes it, `hashint8extended`,
// `hash_combine64` and the unsigned 64-bit modulo that `satisfies_hash_partition` uses. Shard k is
// the partition `FOR VALUES WITH (MODULUS N, REMAINDER k)`.
//
// This runs for every routed statement, so the mixing works on int32 locals (`| 0` keeps V8 on
// small-integer arithmetic) and 64-bit values travel as two uint32 halves; BigInt appears only at
// the API edges that accept a caller-supplied seed or an out-of-range value.

/** A 64-bit hash as two unsigned 32-bit halves. */
export interface Hash64 {
  readonly hi: number;
  readonly lo: number;
}

/** PostgreSQL's `HASH_PARTITION_SEED` (partition.h). */
export const HASH_PARTITION_SEED = 0x7a5b22367996dcfdn;

const SEED_HI = 0x7a5b2236 | 0;
const SEED_LO = 0x7996dcfd | 0;
// hash_combine64's additive constant, split.
const COMBINE_HI = 0x49a0f4dd;
const COMBINE_LO = 0x15e5a8e3;
const TWO_POW_32 = 4294967296;
// ((hi mod N) * 2^32 + lo) stays below 2^53 while N <= 2^21, so the modulo is exact in doubles.
const MAX_DOUBLE_MODULUS = 2097152;
/** (m - 1) * 2^16 + 2^16 - 1 < 2^31 */
const MAX_INT32_MODULUS = 32768;

// Results of the kernels below, read immediately by the caller (no await in between).
let outHi = 0;
let outLo = 0;

function splitSeed(seed: bigint): [number, number] {
  const s = BigInt.asUintN(64, seed);
  return [Number(s >> 32n) | 0, Number(s & 0xffffffffn) | 0];
}

/**
 * lookup3 over bytes[start, end). `seeded` mirrors PostgreSQL skipping the seed perturbation
 * (and its mix) when the seed is 0.
 */
function bytesKernel(k: Uint8Array, start: number, end: number, seedHi: number, seedLo: number, seeded: boolean): void {
  let len = end - start;
  let a = (0x9e3779b9 + len + 3923095) | 0;
  let b = a;
  let c = a;
  if (seeded) {
    a = (a + seedHi) | 0;
    b = (b + seedLo) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
  }
  let i = start;
  while (len >= 12) {
    a = (a + (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24))) | 0;
    b = (b + (k[i + 4] | (k[i + 5] << 8) | (k[i + 6] << 16) | (k[i + 7] << 24))) | 0;
    c = (c + (k[i + 8] | (k[i + 9] << 8) | (k[i + 10] << 16) | (k[i + 11] << 24))) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
    i += 12;
    len -= 12;
  }
  // Little-endian tail; the low byte of c is reserved for the length, so c's bytes start at bit 8.
  if (len > 0) {
    let w = k[i];
    if (len > 1) w |= k[i + 1] << 8;
    if (len > 2) w |= k[i + 2] << 16;
    if (len > 3) w |= k[i + 3] << 24;
    a = (a + w) | 0;
    if (len > 4) {
      w = k[i + 4];
      if (len > 5) w |= k[i + 5] << 8;
      if (len > 6) w |= k[i + 6] << 16;
      if (len > 7) w |= k[i + 7] << 24;
      b = (b + w) | 0;
    }
    if (len > 8) {
      w = k[i + 8] << 8;
      if (len > 9) w |= k[i + 9] << 16;
      if (len > 10) w |= k[i + 10] << 24;
      c = (c + w) | 0;
    }
  }
  // final(a, b, c)
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  outHi = b >>> 0;
  outLo = c >>> 0;
}

/** The lookup3 state of `hash_bytes_uint32_extended` after its seeded start, per seed. */
interface Uint32Start {
  a: number;
  b: number;
  c: number;
}

function uint32Start(seedHi: number, seedLo: number, seeded: boolean): Uint32Start {
  let a = (0x9e3779b9 + 4 + 3923095) | 0;
  let b = a;
  let c = a;
  if (seeded) {
    a = (a + seedHi) | 0;
    b = (b + seedLo) | 0;
    // mix(a, b, c)
    a = (a - c) | 0; a ^= (c << 4) | (c >>> 28); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 6) | (a >>> 26); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 8) | (b >>> 24); b = (b + a) | 0;
    a = (a - c) | 0; a ^= (c << 16) | (c >>> 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= (a << 19) | (a >>> 13); a = (a + c) | 0;
    c = (c - b) | 0; c ^= (b << 4) | (b >>> 28); b = (b + a) | 0;
  }
  return { a, b, c };
}

// With the partition seed the start state is a constant: the integer path is just final().
const PARTITION_START = uint32Start(SEED_HI, SEED_LO, true);
const START_A = PARTITION_START.a;
const START_B = PARTITION_START.b;
const START_C = PARTITION_START.c;

function uint32Kernel(key: number, a: number, b: number, c: number): void {
  a = (a + key) | 0;
  // final(a, b, c)
  c ^= b; c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c; a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a; b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b; c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c; a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a; b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b; c = (c - ((b << 24) | (b >>> 8))) | 0;
  outHi = b >>> 0;
  outLo = c >>> 0;
}

/** hashint8extended's fold of an int64 (int32 high half, uint32 low half) into one uint32. */
function foldInt64(hi: number, lo: number): number {
  return hi >= 0 ? lo ^ hi : lo ^ ~hi;
}

/** hash_combine64(0, out): the row hash of a one-column partition key. */
function combinedOut(): Hash64 {
  const lo = outLo + COMBINE_LO;
  const carry = lo >= TWO_POW_32 ? 1 : 0;
  return { hi: (outHi + COMBINE_HI + carry) >>> 0, lo: lo >>> 0 };
}

/** PostgreSQL `hash_bytes_extended(bytes, len, seed)` (`hash_any_extended`): text, varchar, uuid. */
export function hashBytesExtended(bytes: Uint8Array, seed: bigint = HASH_PARTITION_SEED): Hash64 {
  if (seed === HASH_PARTITION_SEED) bytesKernel(bytes, 0, bytes.length, SEED_HI, SEED_LO, true);
  else {
    const [hi, lo] = splitSeed(seed);
    bytesKernel(bytes, 0, bytes.length, hi, lo, hi !== 0 || lo !== 0);
  }
  return { hi: outHi, lo: outLo };
}

/** PostgreSQL `hashint8extended(value, seed)`; equals hashint4/hashint2extended in their ranges. */
export function hashInt8Extended(value: bigint | number, seed: bigint = HASH_PARTITION_SEED): Hash64 {
  let hi: number;
  let lo: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
    hi = Math.floor(value / TWO_POW_32) | 0;
    lo = value >>> 0;
  } else {
    const v = BigInt.asIntN(64, value);
    if (v !== value) throw new RangeError(`out of int64 range: ${value}`);
    hi = Number(v >> 32n) | 0;
    lo = Number(v & 0xffffffffn);
  }
  if (seed === HASH_PARTITION_SEED) uint32Kernel(foldInt64(hi, lo), START_A, START_B, START_C);
  else {
    const [sHi, sLo] = splitSeed(seed);
    const s = uint32Start(sHi, sLo, sHi !== 0 || sLo !== 0);
    uint32Kernel(foldInt64(hi, lo), s.a, s.b, s.c);
  }
  return { hi: outHi, lo: outLo };
}

/** PostgreSQL `hash_combine64(a, b)`: a ^ (b + 0x49a0f4dd15e5a8e3 + (a << 54) + (a >> 7)) mod 2^64. */
export function hashCombine64(a: Hash64, b: Hash64): Hash64 {
  const shlHi = (a.lo << 22) >>> 0; // (a << 54): only a.lo's low 10 bits survive, in the high half
  const shrHi = a.hi >>> 7;
  const shrLo = ((a.lo >>> 7) | (a.hi << 25)) >>> 0;
  const lo = b.lo + COMBINE_LO + shrLo;
  const carry = Math.floor(lo / TWO_POW_32);
  const hi = b.hi + COMBINE_HI + shlHi + shrHi + carry;
  return { hi: (a.hi ^ hi) >>> 0, lo: (a.lo ^ lo) >>> 0 };
}

/** Partition row hash of bytes[start, end): hash_combine64(0, hash_bytes_extended(..., HASH_PARTITION_SEED)). */
export function partitionHashBytes(bytes: Uint8Array, start = 0, end = bytes.length): Hash64 {
  bytesKernel(bytes, start, end, SEED_HI, SEED_LO, true);
  return combinedOut();
}

/** Partition row hash of the int64 `hi * 2^32 + lo` (hi: int32 or uint32 bits, lo: uint32 bits). */
export function partitionHashInt64(hi: number, lo: number): Hash64 {
  uint32Kernel(foldInt64(hi | 0, lo), START_A, START_B, START_C);
  return combinedOut();
}

/** Partition row hash of a safe integer (the common bigint key). */
export function partitionHashSafeInteger(value: number): Hash64 {
  uint32Kernel(foldInt64(Math.floor(value / TWO_POW_32) | 0, value >>> 0), START_A, START_B, START_C);
  return combinedOut();
}

/** The shard (partition remainder) of a row hash: unsigned 64-bit `hash % modulus`. */
export function shardFor(hash: Hash64, modulus: number): number {
  if (!Number.isInteger(modulus) || modulus < 1) throw new RangeError(`invalid shard count: ${modulus}`);
  if (modulus <= MAX_INT32_MODULUS) {
    // Horner over 16-bit limbs: every intermediate stays an int32, so V8 uses integer remainders
    // instead of a floating-point fmod (about 3x faster; every keyed route does this).
    const hi = hash.hi;
    const lo = hash.lo;
    let r = (hi >>> 16) % modulus;
    r = (r * 65536 + (hi & 0xffff)) % modulus;
    r = (r * 65536 + (lo >>> 16)) % modulus;
    return (r * 65536 + (lo & 0xffff)) % modulus;
  }
  if (modulus <= MAX_DOUBLE_MODULUS) return ((hash.hi % modulus) * TWO_POW_32 + hash.lo) % modulus;
  return Number(hash64ToBigInt(hash) % BigInt(modulus));
}

export function hash64ToBigInt(hash: Hash64): bigint {
  return (BigInt(hash.hi) << 32n) | BigInt(hash.lo);
}

export function hash64FromBigInt(value: bigint): Hash64 {
  const v = BigInt.asUintN(64, value);
  return { hi: Number(v >> 32n), lo: Number(v & 0xffffffffn) };
}

/** 16 lowercase hex digits, as `to_hex` would print the uint64. */
export function hash64ToHex(hash: Hash64): string {
  return hash.hi.toString(16).padStart(8, '0') + hash.lo.toString(16).padStart(8, '0');
}
