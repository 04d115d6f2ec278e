import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  HASH_PARTITION_SEED,
  hash64FromBigInt,
  hash64ToBigInt,
  hash64ToHex,
  hashBytesExtended,
  hashCombine64,
  hashInt8Extended,
  partitionHashBytes,
  partitionHashInt64,
  partitionHashSafeInteger,
  shardFor,
  type Hash64,
} from './hash.js';

// Vectors from reference/pgdog.md §3.6 (checked there against PostgreSQL 15 satisfies_hash_partition).
const BIGINT_VECTORS: [number, string, number, number, number][] = [
  [0, '0c8440b74fd699b0', 0, 2, 0],
  [1, '9c7715e2970a8fb8', 0, 2, 0],
  [2, 'eb7b1343af5ea17a', 0, 0, 2],
  [42, 'afd30d9a116a5a62', 0, 0, 2],
  [-1, '0400bc251f3bafa5', 1, 2, 1],
  [1000, '7e8f25a0d10f75d4', 0, 2, 0],
];
const TEXT_VECTORS: [string, string, number, number, number][] = [
  ['a', 'ec9335d598214f5e', 0, 2, 2],
  ['hello', '250e9012d8862b94', 0, 1, 0],
  ['us-east-1', '618369cdc00d0246', 0, 2, 2],
];
const ZERO: Hash64 = { hi: 0, lo: 0 };
const M64 = (1n << 64n) - 1n;

// A second, deliberately plain transcription of PostgreSQL's hashfn.c (uint32 helpers, byte-wise
// tail switch as in the C source) to check the unrolled kernels on inputs the vectors miss.
const u32 = (x: number) => x >>> 0;
const rot = (x: number, k: number) => u32((x << k) | (x >>> (32 - k)));
function refMix(s: number[]): void {
  let [a, b, c] = s;
  a = u32(a - c); a = u32(a ^ rot(c, 4)); c = u32(c + b);
  b = u32(b - a); b = u32(b ^ rot(a, 6)); a = u32(a + c);
  c = u32(c - b); c = u32(c ^ rot(b, 8)); b = u32(b + a);
  a = u32(a - c); a = u32(a ^ rot(c, 16)); c = u32(c + b);
  b = u32(b - a); b = u32(b ^ rot(a, 19)); a = u32(a + c);
  c = u32(c - b); c = u32(c ^ rot(b, 4)); b = u32(b + a);
  s[0] = a; s[1] = b; s[2] = c;
}
function refFinal(s: number[]): void {
  let [a, b, c] = s;
  c = u32(c ^ b); c = u32(c - rot(b, 14));
  a = u32(a ^ c); a = u32(a - rot(c, 11));
  b = u32(b ^ a); b = u32(b - rot(a, 25));
  c = u32(c ^ b); c = u32(c - rot(b, 16));
  a = u32(a ^ c); a = u32(a - rot(c, 4));
  b = u32(b ^ a); b = u32(b - rot(a, 14));
  c = u32(c ^ b); c = u32(c - rot(b, 24));
  s[0] = a; s[1] = b; s[2] = c;
}
function refStart(len: number, seed: bigint): number[] {
  const init = u32(0x9e3779b9 + len + 3923095);
  const s = [init, init, init];
  if (seed !== 0n) {
    s[0] = u32(s[0] + Number(seed >> 32n));
    s[1] = u32(s[1] + Number(seed & 0xffffffffn));
    refMix(s);
  }
  return s;
}
function refHashBytes(k: Uint8Array, seed: bigint): bigint {
  const s = refStart(k.length, seed);
  const view = new DataView(k.buffer, k.byteOffset, k.length);
  let p = 0;
  let len = k.length;
  for (; len >= 12; len -= 12, p += 12) {
    s[0] = u32(s[0] + view.getUint32(p, true));
    s[1] = u32(s[1] + view.getUint32(p + 4, true));
    s[2] = u32(s[2] + view.getUint32(p + 8, true));
    refMix(s);
  }
  const add = (i: number, byte: number, shift: number) => { s[i] = u32(s[i] + byte * 2 ** shift); };
  if (len >= 11) add(2, k[p + 10], 24);
  if (len >= 10) add(2, k[p + 9], 16);
  if (len >= 9) add(2, k[p + 8], 8);
  if (len >= 8) add(1, k[p + 7], 24);
  if (len >= 7) add(1, k[p + 6], 16);
  if (len >= 6) add(1, k[p + 5], 8);
  if (len >= 5) add(1, k[p + 4], 0);
  if (len >= 4) add(0, k[p + 3], 24);
  if (len >= 3) add(0, k[p + 2], 16);
  if (len >= 2) add(0, k[p + 1], 8);
  if (len >= 1) add(0, k[p], 0);
  refFinal(s);
  return (BigInt(s[1]) << 32n) | BigInt(s[2]);
}
function refHashInt8(v: bigint, seed: bigint): bigint {
  let lo = Number(BigInt.asUintN(32, v));
  const hi = Number(BigInt.asUintN(32, v >> 32n));
  lo = u32(v >= 0n ? lo ^ hi : lo ^ ~hi);
  const s = refStart(4, seed);
  s[0] = u32(s[0] + lo);
  refFinal(s);
  return (BigInt(s[1]) << 32n) | BigInt(s[2]);
}
function refCombine(a: bigint, b: bigint): bigint {
  return (a ^ ((b + 0x49a0f4dd15e5a8e3n + (a << 54n) + (a >> 7n)) & M64)) & M64;
}
function randomU64(): bigint {
  return randomBytes(8).readBigUInt64BE();
}

test('bigint vectors: combined hash and shards for N = 2, 3, 4', () => {
  for (const [v, hex, s2, s3, s4] of BIGINT_VECTORS) {
    const combined = hashCombine64(ZERO, hashInt8Extended(v));
    assert.equal(hash64ToHex(combined), hex, `value ${v}`);
    assert.deepEqual(partitionHashSafeInteger(v), combined);
    assert.deepEqual(hashCombine64(ZERO, hashInt8Extended(BigInt(v))), combined);
    assert.deepEqual(partitionHashInt64(v < 0 ? -1 : 0, v >>> 0), combined);
    assert.deepEqual([2, 3, 4].map((n) => shardFor(combined, n)), [s2, s3, s4], `value ${v}`);
  }
});

test('text vectors: combined hash and shards for N = 2, 3, 4', () => {
  for (const [s, hex, s2, s3, s4] of TEXT_VECTORS) {
    const bytes = Buffer.from(s, 'utf8');
    const combined = partitionHashBytes(bytes);
    assert.equal(hash64ToHex(combined), hex, s);
    assert.deepEqual(hashCombine64(ZERO, hashBytesExtended(bytes)), combined);
    assert.deepEqual([2, 3, 4].map((n) => shardFor(combined, n)), [s2, s3, s4], s);
  }
});

test('uuid vector: 11111111-1111-1111-1111-111111111111 -> shards 0, 1, 0', () => {
  const h = partitionHashBytes(new Uint8Array(16).fill(0x11));
  assert.deepEqual([2, 3, 4].map((n) => shardFor(h, n)), [0, 1, 0]);
});

test('hash_bytes_extended matches the plain transcription for every length 0..40 and several seeds', () => {
  const seeds = [HASH_PARTITION_SEED, 0n, 1n, 0xffffffffn, 1n << 32n, M64, randomU64()];
  for (let len = 0; len <= 40; len++) {
    for (const bytes of [randomBytes(len), Buffer.alloc(len, 0xff), Buffer.from('x'.repeat(len))]) {
      for (const seed of seeds) {
        assert.equal(hash64ToBigInt(hashBytesExtended(bytes, seed)), refHashBytes(bytes, seed), `len ${len} seed ${seed}`);
      }
      const expected = refCombine(0n, refHashBytes(bytes, HASH_PARTITION_SEED));
      assert.equal(hash64ToBigInt(partitionHashBytes(bytes)), expected, `len ${len}`);
    }
  }
});

test('long inputs (many 12-byte blocks) match the plain transcription', () => {
  for (const len of [100, 1000, 4099]) {
    const bytes = randomBytes(len);
    assert.equal(hash64ToBigInt(hashBytesExtended(bytes)), refHashBytes(bytes, HASH_PARTITION_SEED));
  }
});

test('partitionHashBytes over a sub-range equals hashing a copy of it', () => {
  const buf = randomBytes(64);
  for (const [start, end] of [[0, 0], [3, 3], [1, 13], [5, 40], [17, 64], [0, 64]]) {
    assert.deepEqual(partitionHashBytes(buf, start, end), partitionHashBytes(Uint8Array.from(buf.subarray(start, end))));
  }
});

test('hashint8extended matches the transcription at int16/int32/int64 limits and random values', () => {
  const limits = [0n, 1n, -1n, 32767n, -32768n, 2147483647n, -2147483648n, 2147483648n, -2147483649n,
    4294967295n, 4294967296n, -4294967296n, 9007199254740991n, -9007199254740991n, 9007199254740992n,
    -9007199254740992n, 9223372036854775807n, -9223372036854775808n];
  const random = Array.from({ length: 200 }, () => BigInt.asIntN(64, randomU64()));
  for (const v of [...limits, ...random]) {
    for (const seed of [HASH_PARTITION_SEED, 0n, randomU64()]) {
      assert.equal(hash64ToBigInt(hashInt8Extended(v, seed)), refHashInt8(v, seed), `value ${v} seed ${seed}`);
    }
    const combined = refCombine(0n, refHashInt8(v, HASH_PARTITION_SEED));
    const hi = Number(v >> 32n);
    const lo = Number(v & 0xffffffffn);
    assert.equal(hash64ToBigInt(partitionHashInt64(hi, lo)), combined, `value ${v}`);
    if (v >= -9007199254740991n && v <= 9007199254740991n) {
      assert.equal(hash64ToBigInt(partitionHashSafeInteger(Number(v))), combined, `value ${v}`);
      assert.deepEqual(hashInt8Extended(Number(v)), hashInt8Extended(v));
    }
  }
});

test('int32-range values hash like hash_uint32_extended of the int32 (hashint4extended)', () => {
  for (const v of [0, 1, -1, 42, -42, 2147483647, -2147483648, 65535, -65536]) {
    const s = refStart(4, HASH_PARTITION_SEED);
    s[0] = u32(s[0] + (v >>> 0));
    refFinal(s);
    assert.equal(hash64ToBigInt(hashInt8Extended(v)), (BigInt(s[1]) << 32n) | BigInt(s[2]), `value ${v}`);
  }
});

test('hashInt8Extended rejects values it cannot represent exactly', () => {
  assert.throws(() => hashInt8Extended(2 ** 53), RangeError);
  assert.throws(() => hashInt8Extended(1.5), RangeError);
  assert.throws(() => hashInt8Extended(1n << 63n), RangeError);
  assert.throws(() => hashInt8Extended(-(1n << 63n) - 1n), RangeError);
});

test('hash_combine64 matches the 64-bit formula for random and edge inputs', () => {
  const edges = [0n, 1n, M64, 1n << 63n, 0x3ffn, 0x400n, 0xffffffffn, 1n << 32n];
  const pairs: [bigint, bigint][] = [];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  for (let i = 0; i < 500; i++) pairs.push([randomU64(), randomU64()]);
  for (const [a, b] of pairs) {
    assert.equal(hash64ToBigInt(hashCombine64(hash64FromBigInt(a), hash64FromBigInt(b))), refCombine(a, b), `${a} ${b}`);
  }
});

test('shardFor is the unsigned 64-bit modulo for small and large shard counts', () => {
  const moduli = [1, 2, 3, 4, 5, 7, 12, 13, 64, 1000, 32767, 32768, 32769, 65536, 2 ** 21 - 1, 2 ** 21, 2 ** 21 + 1, 2 ** 31, 2 ** 32 + 15, 1e12];
  const hashes = [0n, 1n, M64, M64 - 1n, 1n << 63n, ...Array.from({ length: 300 }, randomU64)];
  for (const h of hashes) {
    for (const n of moduli) {
      assert.equal(shardFor(hash64FromBigInt(h), n), Number(h % BigInt(n)), `${h} % ${n}`);
    }
  }
});

test('shardFor rejects a shard count that is not a positive integer', () => {
  for (const n of [0, -1, 1.5, Number.NaN]) assert.throws(() => shardFor(ZERO, n), RangeError);
});

test('hash64 helpers round-trip and print 16 hex digits', () => {
  const v = 0x0123456789abcdefn;
  assert.deepEqual(hash64FromBigInt(v), { hi: 0x01234567, lo: 0x89abcdef });
  assert.equal(hash64ToBigInt(hash64FromBigInt(v)), v);
  assert.equal(hash64ToHex({ hi: 1, lo: 2 }), '0000000100000002');
  assert.equal(hash64ToBigInt(hash64FromBigInt(-1n)), M64);
});
