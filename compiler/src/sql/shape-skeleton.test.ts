import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@pgdog/testing';
import { newLiteralSpans, type LiteralSpans } from './literal-spans.js';
import { shapeKey } from './normalize.js';
import { matchSkeleton, skeletonOf } from './shape-skeleton.js';

function spansOf(s: LiteralSpans): number[][] {
  const n = s.count;
  return [Array.from(s.starts.subarray(0, n)), Array.from(s.ends.subarray(0, n)), Array.from(s.kinds.subarray(0, n)), Array.from(s.before.subarray(0, n))];
}

/** matchSkeleton(model's skeleton, text): true only when shapeKey agrees (same key, same spans). */
function check(model: string, text: string): boolean | null {
  const spans = newLiteralSpans(2);
  const key = shapeKey(model, spans);
  if (key === null) return null;
  const skeleton = skeletonOf(model, key, spans);
  if (skeleton === null) return null;
  const got = newLiteralSpans(2);
  const matched = matchSkeleton(skeleton, text, got);
  const expected = newLiteralSpans(2);
  const textKey = shapeKey(text, expected);
  if (matched) {
    assert.equal(textKey, key, `${model} / ${text}`);
    assert.deepEqual(spansOf(got), spansOf(expected), `${model} / ${text}`);
  }
  return matched;
}

test('shape-skeleton: the same shape with other values matches, with the spans shapeKey gives', () => {
  const pairs: [string, string][] = [
    ['SELECT balance FROM accounts WHERE user_id = 12345;', 'SELECT balance FROM accounts WHERE user_id = 7;'],
    ["SELECT * FROM t WHERE a = 1 AND b = 'x' AND c IN (2, 3)", "SELECT * FROM t WHERE a = 100 AND b = 'it''s pgdog_shard' AND c IN (40, 5)"],
    ['SELECT * FROM t WHERE id = 1 /* pgdog_shard: 1 */', 'SELECT * FROM t WHERE id = 22 /* pgdog_shard: 1 */'],
    ['SELECT * FROM t WHERE id = -1', 'SELECT * FROM t WHERE id = -25'],
    ['SELECT * FROM t WHERE id = 2147483647', 'SELECT * FROM t WHERE id = 0000000000002147483647'],
    ['SELECT * FROM t WHERE id = 2147483648', 'SELECT * FROM t WHERE id = 9223372036854775807'],
    ["INSERT INTO t (a, b) VALUES (1, 'a'), (2, '')", "INSERT INTO t (a, b) VALUES (10, 'bb'), (20, 'c')"],
    ['SELECT 1', 'SELECT 2'],
  ];
  for (const [model, text] of pairs) assert.equal(check(model, text), true, text);
});

test('shape-skeleton: another shape, or a literal of another kind, does not match', () => {
  const pairs: [string, string][] = [
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 1.5'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 1e5'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 0x1f'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 1_000'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 2147483648'],
    ['SELECT * FROM t WHERE id = 2147483648', 'SELECT * FROM t WHERE id = 5'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 1 '],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id  = 1'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 1a'],
    ['SELECT * FROM t WHERE id = 1', "SELECT * FROM t WHERE id = '1'"],
    ["SELECT * FROM t WHERE s = 'a'", "SELECT * FROM t WHERE s = 'a' 'b'"],
    ["SELECT * FROM t WHERE s = 'a'", "SELECT * FROM t WHERE s = 'a"],
    ["SELECT * FROM t WHERE s = 'a'", "SELECT * FROM t WHERE s = 'a\0'"],
    ['SELECT * FROM t WHERE id = 1 /* pgdog_shard: 1 */', 'SELECT * FROM t WHERE id = 1 /* pgdog_shard: 2 */'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM u WHERE id = 1'],
  ];
  for (const [model, text] of pairs) assert.equal(check(model, text), false, text);
});

test('shape-skeleton: shapes with other literal kinds get no skeleton', () => {
  for (const q of ["SELECT E'a'", "SELECT B'1'", 'SELECT 1.5', 'SELECT $$a$$', "SELECT U&'a'", 'SELECT 0x10', "SELECT * FROM U&\"t\" WHERE a = 'x'"]) {
    const spans = newLiteralSpans();
    const key = shapeKey(q, spans);
    assert.ok(key !== null, q);
    assert.equal(skeletonOf(q, key, spans), null, q);
  }
});

test('shape-skeleton: random literal values agree with shapeKey', () => {
  const random = seededRandom(77);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const ints = ['0', '7', '00', '123456789', '2147483647', '2147483648', '9999999999', '1.5', '1e3', '0x1', '1_0', '12abc', '1.', '-3'];
  const strs = ["''", "'a'", "'it''s'", "'pgdog_shard: 1'", "'--'", "'/*'", "'a' 'b'", "E'x'", "'x", "'\\'", '"q"', '$$d$$'];
  const shapes = [
    (a: string, b: string) => `SELECT * FROM t WHERE a = ${a} AND b = ${b}`,
    (a: string, b: string) => `UPDATE t SET b = ${b} WHERE a = ${a} -- c`,
    (a: string, b: string) => `INSERT INTO t VALUES (${a},${b})`,
    (a: string, b: string) => `SELECT ${a}${b}`,
    (a: string, b: string) => `SELECT float(${a}) , ${b} /* pgdog_role: replica */`,
  ];
  let matched = 0;
  for (let i = 0; i < 3000; i++) {
    const shape = pick(shapes);
    const r = check(shape(pick(ints), pick(strs)), shape(pick(ints), pick(strs)));
    if (r === true) matched++;
  }
  assert.ok(matched > 100, `matched ${matched}`);
});
