import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_HINTS, forEachComment, scanHints } from './hints.js';

test('hints: each directive, anywhere in the text', () => {
  assert.deepEqual(scanHints('/* pgdog_shard: 12 */ SELECT 1'), { shard: 12, shardingKey: null, role: null });
  assert.deepEqual(scanHints('SELECT 1 /* pgdog_role: replica */'), { shard: null, shardingKey: null, role: 'replica' });
  assert.deepEqual(scanHints('SELECT 1; -- pgdog_role: primary'), { shard: null, shardingKey: null, role: 'primary' });
  assert.equal(scanHints('SELECT /* pgdog_sharding_key: abc-1 */ 1').shardingKey, 'abc-1');
  assert.equal(scanHints('SELECT /* pgdog_sharding_key: "a b" */ 1').shardingKey, 'a b');
  assert.equal(scanHints("SELECT /* pgdog_sharding_key: 'x y' */ 1").shardingKey, 'x y');
  assert.deepEqual(scanHints('/* pgdog_shard: 1 pgdog_role: replica */ SELECT 1'), { shard: 1, shardingKey: null, role: 'replica' });
});

test('hints: the first occurrence wins', () => {
  assert.equal(scanHints('/* pgdog_shard: 1 */ SELECT 1 /* pgdog_shard: 2 */').shard, 1);
});

test('hints: text inside literals and identifiers is not a comment', () => {
  assert.equal(scanHints("SELECT '/* pgdog_shard: 1 */'"), NO_HINTS);
  assert.equal(scanHints("SELECT E'\\' /* pgdog_shard: 1 */'"), NO_HINTS);
  assert.equal(scanHints('SELECT $$ -- pgdog_shard: 1 $$'), NO_HINTS);
  assert.equal(scanHints('SELECT "-- pgdog_shard: 1"'), NO_HINTS);
  assert.equal(scanHints("SELECT 'x' /* pgdog_shard: 4 */").shard, 4);
  // Standard strings: a backslash does not escape the quote.
  assert.equal(scanHints("SELECT 'a\\' /* pgdog_shard: 5 */").shard, 5);
});

test('hints: malformed directives are ignored', () => {
  assert.equal(scanHints('/* pgdog_role: leader */ SELECT 1'), NO_HINTS);
  assert.equal(scanHints('/* pgdog_shard: x */ SELECT 1'), NO_HINTS);
  assert.equal(scanHints('SELECT 1'), NO_HINTS);
});

test('hints: nested block comments and unterminated text', () => {
  const seen: string[] = [];
  const text = 'a /* x /* y */ z */ b -- c\n d /* open';
  forEachComment(text, (s, e) => seen.push(text.slice(s, e)));
  assert.deepEqual(seen, ['/* x /* y */ z */', '-- c', '/* open']);
  // An unterminated comment runs to the end of the text (the parser rejects the query anyway).
  assert.equal(scanHints('SELECT 1 /* pgdog_shard: 3').shard, 3);
});
