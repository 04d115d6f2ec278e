import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partOf } from './worker-share.js';

test('partOf: the parts add up to the total and differ by at most one', () => {
  for (const count of [1, 2, 3, 4, 7]) {
    for (const total of [0, 1, 2, 3, 5, 10, 20, 21, 100]) {
      const parts = Array.from({ length: count }, (_, index) => partOf(total, { index, count }));
      assert.equal(parts.reduce((a, b) => a + b, 0), total, `${total} over ${count}`);
      assert.ok(Math.max(...parts) - Math.min(...parts) <= 1, `${total} over ${count}: ${parts}`);
    }
  }
});

test('partOf: a lower bound gives small totals one per worker; no share or one worker keeps the total', () => {
  assert.deepEqual([0, 1, 2].map((index) => partOf(1, { index, count: 3 }, 1)), [1, 1, 1]);
  assert.deepEqual([0, 1].map((index) => partOf(5, { index, count: 2 }, 1)), [3, 2]);
  // The bound never exceeds the total: a pool of size 0 stays 0.
  assert.equal(partOf(0, { index: 0, count: 2 }, 1), 0);
  assert.equal(partOf(20, undefined, 1), 20);
  assert.equal(partOf(20, { index: 0, count: 1 }, 1), 20);
  assert.equal(partOf(Infinity, { index: 1, count: 2 }, 1), Infinity);
});
