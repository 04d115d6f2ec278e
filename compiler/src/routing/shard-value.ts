// A sharding key value as the router meets it (SQL literal, Bind parameter in text or binary
// format, or a number from JS), converted to the column's data_type the way pgDog does, and its
// PostgreSQL partition hash. Invalid input yields { ok: false, reason } instead of throwing: a bad
// key in one query must not cost an exception on the proxy's hot path.

import { isUtf8 } from 'node:buffer';
import { partitionHashBytes, partitionHashInt64, partitionHashSafeInteger, type Hash64 } from './hash.js';
import { int64TextError, normalizeInt64, parseInt64Text, type Int64Value } from './int8-text.js';
import { formatUuid, parseUuidText } from './uuid-text.js';

/** pgDog's hashable `data_type`s. `bigint` also serves integer and smallint columns. */
export type ShardDataType = 'bigint' | 'varchar' | 'uuid';

/**
 * A key in the column's type. bigint: a number when it is a safe integer, otherwise a bigint (so
 * equal values are identical). uuid: 16 bytes in RFC order. varchar: the UTF-8 bytes.
 * Keys made from a Uint8Array may share its memory (no copy): use them before the buffer is reused.
 */
export type ShardKey =
  | { readonly kind: 'bigint'; readonly value: Int64Value }
  | { readonly kind: 'uuid'; readonly bytes: Uint8Array }
  | { readonly kind: 'varchar'; readonly bytes: Uint8Array };

export type KeyResult = { readonly ok: true; readonly key: ShardKey } | { readonly ok: false; readonly reason: string };

/** `hash` is the partition row hash, hash_combine64(0, type hash): feed it to `shardFor`. */
export type HashResult = { readonly ok: true; readonly hash: Hash64 } | { readonly ok: false; readonly reason: string };

/** Bind message parameter format codes. */
export const TEXT_FORMAT = 0;
export const BINARY_FORMAT = 1;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function describeBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}

// --- bigint --------------------------------------------------------------------------------

/** int2/int4/int8 binary parameters: big-endian two's complement of 2, 4 or 8 bytes. */
function int64FromBinary(b: Uint8Array): Int64Value | undefined {
  switch (b.length) {
    case 2:
      return ((b[0] << 24) | (b[1] << 16)) >> 16;
    case 4:
      return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    case 8: {
      const hi = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
      const lo = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
      // -2^21 < hi < 2^21 keeps hi * 2^32 + lo within the safe integers.
      if (hi > -2097152 && hi < 2097152) return hi * 4294967296 + lo;
      return normalizeInt64((BigInt(hi) << 32n) | BigInt(lo));
    }
    default:
      return undefined;
  }
}

function bigintKey(value: Int64Value): KeyResult {
  return { ok: true, key: { kind: 'bigint', value } };
}

function hashInt64(value: Int64Value): Hash64 {
  if (typeof value === 'number') return partitionHashSafeInteger(value);
  return partitionHashInt64(Number(value >> 32n) | 0, Number(value & 0xffffffffn));
}

// --- varchar -------------------------------------------------------------------------------

// Reused UTF-8 encoding buffer for hashing JS strings without allocating.
let scratch = Buffer.allocUnsafe(256);

/** Writes `text` as UTF-8 into `scratch` and returns the byte length. */
function encodeToScratch(text: string): number {
  const n = text.length;
  if (n * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n * 3, scratch.length * 2));
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 0x80) return scratch.write(text, 0, 'utf8');
    scratch[i] = ch;
  }
  return n;
}

const INVALID_UTF8 = 'invalid byte sequence for encoding "UTF8"';

// --- conversions ---------------------------------------------------------------------------

/** A SQL literal or a text-format parameter (UTF-8 bytes). */
export function keyFromText(dataType: ShardDataType, text: string | Uint8Array): KeyResult {
  switch (dataType) {
    case 'bigint': {
      const v = parseInt64Text(text);
      return v === undefined ? fail(int64TextError(text)) : bigintKey(v);
    }
    case 'uuid': {
      const bytes = parseUuidText(text);
      if (bytes) return { ok: true, key: { kind: 'uuid', bytes } };
      const shown = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
      return fail(`invalid input syntax for type uuid: "${shown}"`);
    }
    case 'varchar':
      if (typeof text === 'string') return { ok: true, key: { kind: 'varchar', bytes: Buffer.from(text, 'utf8') } };
      return isUtf8(text) ? { ok: true, key: { kind: 'varchar', bytes: text } } : fail(INVALID_UTF8);
  }
}

/** A binary-format parameter. */
export function keyFromBinary(dataType: ShardDataType, bytes: Uint8Array): KeyResult {
  switch (dataType) {
    case 'bigint': {
      const v = int64FromBinary(bytes);
      return v === undefined
        ? fail(`binary integer must be 2, 4 or 8 bytes, got ${bytes.length}`)
        : bigintKey(v);
    }
    case 'uuid':
      return bytes.length === 16
        ? { ok: true, key: { kind: 'uuid', bytes } }
        : fail(`binary uuid must be 16 bytes, got ${bytes.length} (${describeBytes(bytes)})`);
    case 'varchar':
      return isUtf8(bytes) ? { ok: true, key: { kind: 'varchar', bytes } } : fail(INVALID_UTF8);
  }
}

/** A Bind parameter with its format code (0 text, 1 binary). */
export function keyFromParam(dataType: ShardDataType, bytes: Uint8Array, format: number): KeyResult {
  if (format === TEXT_FORMAT) return keyFromText(dataType, bytes);
  if (format === BINARY_FORMAT) return keyFromBinary(dataType, bytes);
  return fail(`unknown parameter format code ${format}`);
}

/** An integer from JS (a parsed SQL integer constant, a `pgdog_shard`-style hint). */
export function keyFromNumber(dataType: ShardDataType, value: number | bigint): KeyResult {
  if (dataType !== 'bigint') return fail(`an integer cannot be a ${dataType} sharding key`);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? bigintKey(value === 0 ? 0 : value) : fail(`not an exact integer: ${value}`);
  }
  return value < INT64_MIN || value > INT64_MAX
    ? fail(`value "${value}" is out of range for type bigint`)
    : bigintKey(normalizeInt64(value));
}

/** The partition row hash of a key. */
export function hashKey(key: ShardKey): Hash64 {
  return key.kind === 'bigint' ? hashInt64(key.value) : partitionHashBytes(key.bytes);
}

/** The key as PostgreSQL would print it (int8out, uuid_out, the text itself). */
export function formatShardKey(key: ShardKey): string {
  switch (key.kind) {
    case 'bigint':
      return String(key.value);
    case 'uuid':
      return formatUuid(key.bytes);
    case 'varchar':
      return Buffer.from(key.bytes.buffer, key.bytes.byteOffset, key.bytes.length).toString('utf8');
  }
}

// --- hashing without an intermediate key (the common router path) --------------------------

/** Partition hash of a SQL literal or text-format parameter. */
export function hashText(dataType: ShardDataType, text: string | Uint8Array): HashResult {
  if (dataType === 'varchar') {
    if (typeof text === 'string') {
      const n = encodeToScratch(text); // first: it may replace `scratch`
      return { ok: true, hash: partitionHashBytes(scratch, 0, n) };
    }
    return isUtf8(text) ? { ok: true, hash: partitionHashBytes(text) } : fail(INVALID_UTF8);
  }
  if (dataType === 'bigint') {
    const v = parseInt64Text(text);
    return v === undefined ? fail(int64TextError(text)) : { ok: true, hash: hashInt64(v) };
  }
  const r = keyFromText(dataType, text);
  return r.ok ? { ok: true, hash: hashKey(r.key) } : r;
}

/** Partition hash of a Bind parameter (format 0 text, 1 binary). */
export function hashParam(dataType: ShardDataType, bytes: Uint8Array, format: number): HashResult {
  if (format === TEXT_FORMAT) return hashText(dataType, bytes);
  const r = keyFromParam(dataType, bytes, format);
  return r.ok ? { ok: true, hash: hashKey(r.key) } : r;
}

/** Partition hash of an integer from JS. */
export function hashNumber(dataType: ShardDataType, value: number | bigint): HashResult {
  const r = keyFromNumber(dataType, value);
  return r.ok ? { ok: true, hash: hashKey(r.key) } : r;
}
