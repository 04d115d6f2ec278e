import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL, and, evalKeyExpr, keyRef, or } from './key-expr.js';

const k = keyRef;
// Candidate i lives on shard i % 4; candidates >= 10 are not sharding keys.
const leaf = (i: number): Set<number> | null => (i >= 10 ? null : new Set([i % 4]));
const shards = (e: Parameters<typeof evalKeyExpr>[0]): number[] | null => {
  const s = evalKeyExpr(e, leaf);
  return s === null ? null : [...s].sort();
};

test('key-expr: constructors simplify', () => {
  assert.equal(and([]), ALL);
  assert.equal(or([]), ALL);
  assert.deepEqual(and([ALL, k(1)]), k(1));
  assert.equal(or([k(1), ALL]), ALL);
  assert.deepEqual(and([k(1), and([k(2), k(3)])]), { op: 'and', args: [k(1), k(2), k(3)] });
  assert.deepEqual(or([or([k(1), k(2)]), k(3)]), { op: 'or', args: [k(1), k(2), k(3)] });
});

test('key-expr: evaluation', () => {
  assert.equal(shards(ALL), null);
  assert.deepEqual(shards(k(1)), [1]);
  assert.equal(shards(k(11)), null);
  assert.deepEqual(shards(or([k(1), k(2)])), [1, 2]);
  assert.equal(shards(or([k(1), k(12)])), null, 'an OR branch without a sharding key reaches every shard');
  assert.deepEqual(shards(and([k(1), k(12)])), [1], 'a non-key conjunct does not widen the route');
  assert.deepEqual(shards(and([or([k(1), k(2)]), or([k(2), k(3)])])), [2]);
  assert.deepEqual(shards(and([k(1), k(2)])), [], 'contradictory keys match no row');
  assert.deepEqual(shards(or([and([k(1), k(11)]), and([k(3), k(12)])])), [1, 3]);
});

test('key-expr: leaf sets are not aliased into the result', () => {
  const shared = new Set([1]);
  const s = evalKeyExpr(and([k(0), k(1)]), (i) => (i === 0 ? shared : new Set([2])));
  assert.deepEqual([...s!], []);
  assert.deepEqual([...shared], [1]);
});
