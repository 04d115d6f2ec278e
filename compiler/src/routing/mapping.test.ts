import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compileMapping, lookupShard, normalizeMappingValue, prepareMapping, type CompiledMapping, type MappingRule } from './mapping.js';
import { keyFromText, type ShardDataType, type ShardKey } from './shard-value.js';

function k(dataType: ShardDataType, text: string): ShardKey {
  const r = keyFromText(dataType, text);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.key;
}
function shardOf(m: CompiledMapping, text: string): number | 'all' {
  return lookupShard(m, k(m.dataType, text));
}
const U = (n: number) => `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`;

test('list rules: exact values; a value listed twice keeps the last rule', () => {
  const m = compileMapping([
    { values: [1, 2, 3], shard: 0 },
    { values: [4, 5, 6, 2], shard: 1 },
  ], 'bigint');
  assert.deepEqual(
    ['1', '2', '3', '4', '5', '6', '7'].map((v) => shardOf(m, v)),
    [0, 1, 0, 1, 1, 1, 'all'],
  );
  assert.deepEqual(m.list, [['1', 0], ['3', 0], ['4', 1], ['5', 1], ['6', 1], ['2', 1]]);
});

test('list values compare as int64 whatever the key text looked like', () => {
  const m = compileMapping([{ values: [42, 9007199254740993n, -9223372036854775808n], shard: 2 }], 'bigint');
  for (const text of ['42', ' +042 ', '0x2a', '9007199254740993', '-9223372036854775808']) assert.equal(shardOf(m, text), 2, text);
  assert.equal(shardOf(m, '9007199254740992'), 'all');
});

test('ranges: start inclusive, end exclusive, first match in config order, unbounded sides', () => {
  const m = compileMapping([
    { start: 0, end: 100, shard: 0 },
    { start: 50, end: 200, shard: 1 }, // overlaps the first: [50, 100) still goes to shard 0
    { end: 0, shard: 2 },
    { start: 1000, shard: 3 },
  ], 'bigint');
  const cases: [string, number | 'all'][] = [
    ['0', 0], ['99', 0], ['50', 0], ['100', 1], ['199', 1], ['200', 'all'], ['999', 'all'], ['-1', 2],
    ['-9223372036854775808', 2], ['1000', 3], ['9223372036854775807', 3],
  ];
  for (const [v, shard] of cases) assert.equal(shardOf(m, v), shard, v);
});

test('lookup order: list, then ranges, then the default rule (the last default wins)', () => {
  const m = compileMapping([
    { shard: 5 },
    { start: 0, end: 10, shard: 1 },
    { values: [5], shard: 2 },
    { shard: 3 },
  ], 'bigint');
  assert.equal(shardOf(m, '5'), 2);
  assert.equal(shardOf(m, '6'), 1);
  assert.equal(shardOf(m, '10'), 3);
  assert.equal(m.defaultShard, 3);
});

test('no match and no default: all shards', () => {
  assert.equal(shardOf(compileMapping([{ values: [1], shard: 0 }], 'bigint'), '2'), 'all');
  assert.equal(shardOf(compileMapping([], 'varchar'), 'x'), 'all');
});

test('kinds are never compared across types', () => {
  // A string "5" in a bigint mapping, an integer 5 in a varchar mapping, an integer bound on a uuid
  // column: none can match, and a range with such a bound matches nothing.
  const big = compileMapping([{ values: ['5'], shard: 1 }, { start: 'a', end: 100, shard: 2 }, { start: 0, end: 'z', shard: 3 }], 'bigint');
  assert.equal(shardOf(big, '5'), 'all');
  assert.deepEqual(big.list, []);
  assert.deepEqual(big.ranges, []);
  const text = compileMapping([{ values: [5], shard: 1 }, { start: 0, end: 10, shard: 2 }], 'varchar');
  assert.equal(shardOf(text, '5'), 'all');
  const uuid = compileMapping([{ values: [1, 'not-a-uuid'], shard: 1 }, { start: 0, shard: 2 }, { shard: 4 }], 'uuid');
  assert.equal(shardOf(uuid, U(1)), 4);
  // A key of another kind than the mapping's column never matches either.
  const listed = compileMapping([{ values: ['5'], shard: 1 }], 'varchar');
  assert.equal(lookupShard(listed, k('bigint', '5')), 'all');
});

test('uuid mappings: any accepted spelling, ranges in byte order', () => {
  const m = compileMapping([
    { values: ['6BA7B810-9DAD-11D1-80B4-00C04FD430C8', 'urn:uuid:00000000-0000-0000-0000-0000000000ff'], shard: 3 },
    { start: U(0), end: U(0x100), shard: 0 },
    { start: U(0x100), end: 'ffffffff-ffff-ffff-ffff-ffffffffffff', shard: 1 },
  ], 'uuid');
  assert.deepEqual(m.list, [['6ba7b8109dad11d180b400c04fd430c8', 3], ['000000000000000000000000000000ff', 3]]);
  assert.equal(shardOf(m, '{6ba7b8109dad11d180b400c04fd430c8}'), 3);
  assert.equal(shardOf(m, U(0xff)), 3);
  assert.equal(shardOf(m, U(0)), 0);
  assert.equal(shardOf(m, U(0xfe)), 0);
  assert.equal(shardOf(m, U(0x100)), 1);
  assert.equal(shardOf(m, '80000000-0000-0000-0000-000000000000'), 1);
  assert.equal(shardOf(m, 'ffffffff-ffff-ffff-ffff-ffffffffffff'), 'all');
});

test('varchar mappings compare UTF-8 bytes, not UTF-16 code units', () => {
  // U+FFFD (EF BF BD) sorts below U+1F600 (F0 9F 98 80) in UTF-8; in UTF-16 the emoji's
  // surrogate 0xD83D sorts below 0xFFFD.
  const m = compileMapping([
    { start: '', end: 'm', shard: 0 },
    { start: 'm', end: '\uFFFD', shard: 1 },
    { start: '\uFFFD', shard: 2 },
    { values: ['us-east-1', 'Ünïcode'], shard: 3 },
  ], 'varchar');
  const cases: [string, number][] = [
    ['', 0], ['a', 0], ['lzzz', 0], ['m', 1], ['z', 1], ['é', 1], ['日本', 1], ['\uFFFD', 2], ['😀', 2],
    ['us-east-1', 3], ['Ünïcode', 3], ['us-east-2', 1], ['Z', 0],
  ];
  for (const [v, shard] of cases) assert.equal(shardOf(m, v), shard, v);
  assert.equal(normalizeMappingValue('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'varchar'), '6ba7b810-9dad-11d1-80b4-00c04fd430c8');
});

test('the compiled form is plain JSON and survives a round trip', () => {
  const rules: MappingRule[] = [
    { values: [1, 9223372036854775807n], shard: 0 },
    { start: -100, end: 0, shard: 1 },
    { start: 100, shard: 2 },
    { shard: 1 },
  ];
  const m = compileMapping(rules, 'bigint');
  assert.deepEqual(m, {
    dataType: 'bigint',
    list: [['1', 0], ['9223372036854775807', 0]],
    ranges: [{ start: '-100', end: '0', shard: 1 }, { start: '100', end: null, shard: 2 }],
    defaultShard: 1,
  });
  const copy = JSON.parse(JSON.stringify(m)) as CompiledMapping;
  for (const v of ['1', '9223372036854775807', '-100', '-1', '0', '99', '100', '-101']) {
    assert.equal(lookupShard(copy, k('bigint', v)), lookupShard(m, k('bigint', v)), v);
  }
  const frozen = Object.freeze(compileMapping(rules, 'bigint'));
  assert.equal(shardOf(frozen, '1'), 0);
});

test('empty ranges match nothing', () => {
  const m = compileMapping([{ start: 10, end: 10, shard: 0 }, { start: 20, end: 5, shard: 1 }], 'bigint');
  for (const v of ['4', '5', '10', '19', '20']) assert.equal(shardOf(m, v), 'all', v);
});

function linear(rules: MappingRule[], v: bigint): number | 'all' {
  for (const r of rules) {
    const s = r.start === undefined ? undefined : BigInt(r.start);
    const e = r.end === undefined ? undefined : BigInt(r.end);
    if ((s === undefined || v >= s) && (e === undefined || v < e)) return r.shard;
  }
  return 'all';
}

test('many disjoint ranges (binary search) and many overlapping ones (config order) agree with a linear scan', () => {
  const disjoint: MappingRule[] = [{ end: -1000, shard: 99 }];
  for (let i = 0; i < 40; i++) {
    if (i % 7 === 3) continue; // leave gaps
    disjoint.push({ start: i * 1000, end: i * 1000 + 900, shard: i % 5 });
  }
  disjoint.push({ start: 2n ** 62n, shard: 98 });
  disjoint.reverse(); // config order must not matter when ranges are disjoint
  const overlapping: MappingRule[] = Array.from({ length: 20 }, (_, i) => ({ start: i * 100, end: i * 100 + 450, shard: i }));
  for (const rules of [disjoint, overlapping]) {
    const m = compileMapping(rules, 'bigint');
    const probes = [-2000n, -1001n, -1000n, -999n, 0n, 899n, 900n, 2n ** 62n - 1n, 2n ** 62n, 2n ** 63n - 1n];
    for (let i = 0; i < 2000; i++) probes.push(BigInt(Math.floor(Math.random() * 45000) - 2000));
    for (let i = 0; i < 50; i++) probes.push(randomBytes(8).readBigInt64BE());
    for (const v of probes) assert.equal(shardOf(m, String(v)), linear(rules, v), String(v));
  }
});

test('a malformed compiled mapping is rejected when prepared', () => {
  assert.throws(() => prepareMapping({ dataType: 'bigint', list: [['1.5', 0]], ranges: [], defaultShard: null }), /bad bigint value/);
  assert.throws(() => prepareMapping({ dataType: 'bigint', list: [['01', 0]], ranges: [], defaultShard: null }), /bad bigint value/);
  assert.throws(() => prepareMapping({ dataType: 'uuid', list: [], ranges: [{ start: 'XYZ', end: null, shard: 0 }], defaultShard: null }), /bad uuid value/);
});

test('normalizeMappingValue: what each column type accepts from TOML', () => {
  assert.equal(normalizeMappingValue(-0, 'bigint'), '0');
  assert.equal(normalizeMappingValue(2 ** 53, 'bigint'), undefined);
  assert.equal(normalizeMappingValue(1.5, 'bigint'), undefined);
  assert.equal(normalizeMappingValue(2n ** 63n, 'bigint'), undefined);
  assert.equal(normalizeMappingValue(-(2n ** 63n), 'bigint'), '-9223372036854775808');
  assert.equal(normalizeMappingValue('12', 'bigint'), undefined);
  assert.equal(normalizeMappingValue('{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}', 'uuid'), '6ba7b8109dad11d180b400c04fd430c8');
  assert.equal(normalizeMappingValue('URN:UUID:6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'uuid'), '6ba7b8109dad11d180b400c04fd430c8');
  assert.equal(normalizeMappingValue(12, 'uuid'), undefined);
  assert.equal(normalizeMappingValue(12, 'varchar'), undefined);
  assert.equal(normalizeMappingValue('', 'varchar'), '');
});
