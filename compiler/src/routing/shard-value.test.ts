import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { hashInt8Extended, hashCombine64, partitionHashBytes, shardFor, type Hash64 } from './hash.js';
import {
  formatShardKey,
  hashKey,
  hashNumber,
  hashParam,
  hashText,
  keyFromBinary,
  keyFromNumber,
  keyFromParam,
  keyFromText,
  type HashResult,
  type KeyResult,
  type ShardKey,
} from './shard-value.js';

function key(r: KeyResult): ShardKey {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.key;
}
function hash(r: HashResult): Hash64 {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.hash;
}
function reason(r: KeyResult | HashResult): string {
  assert.equal(r.ok, false, 'expected a failure');
  return r.ok ? '' : r.reason;
}
function int8Be(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}
const expectedBigint = (v: bigint) => hashCombine64({ hi: 0, lo: 0 }, hashInt8Extended(v));

test('bigint text: the forms int8in accepts', () => {
  const cases: [string, number | bigint][] = [
    ['42', 42], ['-42', -42], ['+7', 7], ['  9  ', 9], ['\t\n\v\f\r12\r\n', 12], ['0', 0], ['-0', 0],
    ['000000000000000000000000000123', 123], ['123456789012345', 123456789012345],
    ['9007199254740991', 9007199254740991], ['-9007199254740991', -9007199254740991],
    ['9007199254740992', 9007199254740992n], ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n], ['  -9223372036854775808 ', -9223372036854775808n],
    // PostgreSQL 16+ forms.
    ['0x1F', 31], ['0X1f', 31], ['0o17', 15], ['0b101', 5], ['1_000_000', 1000000], ['0x_ff', 255],
    ['-0x8000000000000000', -9223372036854775808n], ['0x7FFF_FFFF_FFFF_FFFF', 9223372036854775807n],
  ];
  for (const [text, value] of cases) {
    for (const input of [text, Buffer.from(text)]) {
      const k = key(keyFromText('bigint', input));
      assert.deepEqual(k, { kind: 'bigint', value }, JSON.stringify(text));
      assert.deepEqual(hash(hashText('bigint', input)), expectedBigint(BigInt(value)), JSON.stringify(text));
    }
  }
});

test('bigint text: invalid syntax and out-of-range values are reported, not thrown', () => {
  const syntax = ['', ' ', '-', '+', '4 2', '42a', '1.0', '1e3', '--1', '+-1', '１２', '0x', '0xg', '1__0', '_1', '1_',
    '0b2', '0o8', 'NaN', 'Infinity', '٣', '12\u00a0'];
  for (const text of syntax) {
    for (const input of [text, Buffer.from(text)]) {
      assert.match(reason(keyFromText('bigint', input)), /^invalid input syntax for type bigint/, JSON.stringify(text));
      assert.match(reason(hashText('bigint', input)), /^invalid input syntax for type bigint/, JSON.stringify(text));
    }
  }
  for (const text of ['9223372036854775808', '-9223372036854775809', '99999999999999999999999', '0x8000000000000000']) {
    assert.equal(reason(keyFromText('bigint', text)), `value "${text}" is out of range for type bigint`);
  }
});

test('bigint binary: int2/int4/int8 big-endian, by length', () => {
  const cases: [Buffer, number | bigint][] = [
    [Buffer.from([0x00, 0x2a]), 42], [Buffer.from([0xff, 0xff]), -1], [Buffer.from([0x80, 0x00]), -32768],
    [Buffer.from([0x7f, 0xff]), 32767], [Buffer.from([0, 0, 0, 42]), 42], [Buffer.from([0xff, 0xff, 0xff, 0xfe]), -2],
    [Buffer.from([0x80, 0, 0, 0]), -2147483648], [Buffer.from([0x7f, 0xff, 0xff, 0xff]), 2147483647],
    [int8Be(0n), 0], [int8Be(-1n), -1], [int8Be(1000n), 1000], [int8Be(4294967296n), 4294967296],
    [int8Be(9007199254740991n), 9007199254740991], [int8Be(-9007199254740991n), -9007199254740991],
    [int8Be(-9007199254740992n), -9007199254740992n], [int8Be(-9007199250000000n), -9007199250000000],
    [int8Be(9223372036854775807n), 9223372036854775807n], [int8Be(-9223372036854775808n), -9223372036854775808n],
  ];
  for (const [bytes, value] of cases) {
    assert.deepEqual(key(keyFromBinary('bigint', bytes)), { kind: 'bigint', value }, bytes.toString('hex'));
    assert.deepEqual(hash(hashParam('bigint', bytes, 1)), expectedBigint(BigInt(value)), bytes.toString('hex'));
  }
  for (const len of [0, 1, 3, 5, 7, 9, 16]) {
    assert.equal(reason(keyFromBinary('bigint', Buffer.alloc(len))), `binary integer must be 2, 4 or 8 bytes, got ${len}`);
  }
});

test('bigint: text, binary, number and bigint inputs of the same value agree', () => {
  const values = [0n, 1n, -1n, 2147483647n, -2147483648n, 9223372036854775807n, -9223372036854775808n,
    ...Array.from({ length: 300 }, () => randomBytes(8).readBigInt64BE()),
    ...Array.from({ length: 100 }, () => BigInt(randomBytes(4).readInt32BE()))];
  for (const v of values) {
    const expected = expectedBigint(v);
    assert.deepEqual(hash(hashText('bigint', String(v))), expected);
    assert.deepEqual(hash(hashParam('bigint', Buffer.from(String(v)), 0)), expected);
    assert.deepEqual(hash(hashParam('bigint', int8Be(v), 1)), expected);
    assert.deepEqual(hash(hashNumber('bigint', v)), expected);
    assert.deepEqual(hashKey(key(keyFromParam('bigint', int8Be(v), 1))), expected);
    if (v >= -2147483648n && v <= 2147483647n) {
      const b4 = Buffer.alloc(4);
      b4.writeInt32BE(Number(v));
      assert.deepEqual(hash(hashParam('bigint', b4, 1)), expected);
      assert.deepEqual(hash(hashNumber('bigint', Number(v))), expected);
    }
  }
});

test('bigint from JS numbers: safe integers only', () => {
  assert.deepEqual(key(keyFromNumber('bigint', -0)), { kind: 'bigint', value: 0 });
  assert.deepEqual(key(keyFromNumber('bigint', 2n ** 53n)), { kind: 'bigint', value: 2n ** 53n });
  assert.deepEqual(key(keyFromNumber('bigint', 12n)), { kind: 'bigint', value: 12 });
  assert.match(reason(keyFromNumber('bigint', 2 ** 53)), /not an exact integer/);
  assert.match(reason(keyFromNumber('bigint', 1.5)), /not an exact integer/);
  assert.match(reason(keyFromNumber('bigint', Number.NaN)), /not an exact integer/);
  assert.match(reason(keyFromNumber('bigint', 2n ** 63n)), /out of range/);
  assert.match(reason(keyFromNumber('uuid', 1)), /cannot be a uuid sharding key/);
  assert.match(reason(hashNumber('varchar', 1)), /cannot be a varchar sharding key/);
});

const UUID = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const UUID_BYTES = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');

test('uuid text: every form uuid_in accepts gives the RFC-order bytes', () => {
  const forms = [UUID, UUID.toUpperCase(), UUID.replaceAll('-', ''), `{${UUID}}`, `{${UUID.replaceAll('-', '')}}`,
    '6ba7-b810-9dad-11d1-80b4-00c0-4fd4-30c8', '6BA7B810-9dad11d1-80B400C04FD430C8', '6ba7b810-9dad-11d180b4-00c04fd430c8'];
  for (const form of forms) {
    for (const input of [form, Buffer.from(form)]) {
      assert.deepEqual(key(keyFromText('uuid', input)), { kind: 'uuid', bytes: new Uint8Array(UUID_BYTES) }, form);
      assert.deepEqual(hash(hashText('uuid', input)), partitionHashBytes(UUID_BYTES), form);
    }
  }
});

test('uuid text: forms uuid_in rejects', () => {
  const bad = ['', ' ' + UUID, UUID + ' ', `urn:uuid:${UUID}`, UUID.slice(0, -1), UUID + '0', UUID + '-',
    '-' + UUID, '6ba7b81-09dad-11d1-80b4-00c04fd430c8', '6ba7b810--9dad-11d1-80b4-00c04fd430c8', `{${UUID}`, `${UUID}}`,
    `(${UUID})`, UUID.replace('6', 'g'), '6ba7b810-9dad-11d1-80b4-00c04fd430c8-', 'é'.repeat(16)];
  for (const text of bad) {
    assert.equal(reason(keyFromText('uuid', text)), `invalid input syntax for type uuid: "${text}"`);
    assert.equal(keyFromText('uuid', Buffer.from(text)).ok, false, text);
  }
});

test('uuid: binary 16 bytes and text agree; other lengths fail', () => {
  for (let i = 0; i < 200; i++) {
    const u = randomUUID();
    const bytes = Buffer.from(u.replaceAll('-', ''), 'hex');
    assert.deepEqual(hash(hashParam('uuid', bytes, 1)), hash(hashText('uuid', u)));
    assert.deepEqual(hash(hashParam('uuid', Buffer.from(u), 0)), hash(hashText('uuid', u)));
    assert.equal(formatShardKey(key(keyFromBinary('uuid', bytes))), u);
  }
  const nil = key(keyFromText('uuid', '00000000-0000-0000-0000-000000000000'));
  assert.deepEqual(hashKey(nil), partitionHashBytes(new Uint8Array(16)));
  assert.match(reason(keyFromBinary('uuid', Buffer.alloc(15))), /binary uuid must be 16 bytes, got 15/);
  assert.match(reason(hashParam('uuid', Buffer.alloc(17), 1)), /got 17/);
});

test('varchar: the UTF-8 bytes are hashed, from strings and from parameters in either format', () => {
  const texts = ['', 'a', 'hello', 'us-east-1', 'é', 'naïve café', '日本語テキスト', '😀', 'a😀b', '\u{10ffff}', 'x'.repeat(1000),
    'tenant_' + 'ü'.repeat(50)];
  for (const t of texts) {
    const bytes = Buffer.from(t, 'utf8');
    const expected = partitionHashBytes(bytes);
    assert.deepEqual(hash(hashText('varchar', t)), expected, t);
    assert.deepEqual(hash(hashText('varchar', bytes)), expected, t);
    assert.deepEqual(hash(hashParam('varchar', bytes, 0)), expected, t);
    assert.deepEqual(hash(hashParam('varchar', bytes, 1)), expected, t);
    assert.deepEqual(hashKey(key(keyFromText('varchar', t))), expected, t);
    assert.equal(formatShardKey(key(keyFromParam('varchar', bytes, 1))), t);
  }
  // Long non-ASCII strings must not overflow the reused encoding buffer.
  const long = '日'.repeat(5000);
  assert.deepEqual(hash(hashText('varchar', long)), partitionHashBytes(Buffer.from(long)));
  assert.deepEqual(hash(hashText('varchar', 'short')), partitionHashBytes(Buffer.from('short')));
});

test('varchar: bytes that are not UTF-8 are rejected', () => {
  for (const bad of [[0xff], [0xc3], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0x61, 0x80]]) {
    const bytes = Buffer.from(bad);
    assert.match(reason(keyFromBinary('varchar', bytes)), /invalid byte sequence for encoding "UTF8"/);
    assert.match(reason(keyFromText('varchar', bytes)), /invalid byte sequence/);
    assert.match(reason(hashParam('varchar', bytes, 0)), /invalid byte sequence/);
    assert.match(reason(hashParam('varchar', bytes, 1)), /invalid byte sequence/);
  }
});

test('parameters with an unknown format code are rejected', () => {
  assert.match(reason(keyFromParam('bigint', Buffer.from('1'), 2)), /unknown parameter format code 2/);
  assert.match(reason(hashParam('varchar', Buffer.from('1'), -1)), /unknown parameter format code -1/);
});

test('the same text routes to different shards by data type, as the column type decides', () => {
  // '42' as bigint hashes the integer, as varchar the two bytes: the vectors differ.
  const asInt = hash(hashText('bigint', '42'));
  const asText = hash(hashText('varchar', '42'));
  assert.notDeepEqual(asInt, asText);
  assert.deepEqual([2, 3, 4].map((n) => shardFor(asInt, n)), [0, 0, 2]);
});

test('formatShardKey prints keys as PostgreSQL would', () => {
  assert.equal(formatShardKey(key(keyFromText('bigint', ' +0042 '))), '42');
  assert.equal(formatShardKey(key(keyFromText('bigint', '-9223372036854775808'))), '-9223372036854775808');
  assert.equal(formatShardKey(key(keyFromText('uuid', `{${UUID.toUpperCase()}}`))), UUID);
  assert.equal(formatShardKey(key(keyFromText('varchar', 'ünï'))), 'ünï');
});
