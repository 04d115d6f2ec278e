import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser } from './parser.js';
import { analyze } from './analyze.js';
import { PlanCache } from './plan-cache.js';

await loadSqlParser();

test('plan-cache: a repeated shape is served without parsing and re-binds literals', () => {
  const cache = new PlanCache({ limit: 10 });
  const pairs = [
    ['SELECT * FROM users WHERE id = 42', 'SELECT * FROM users WHERE id = 43'],
    ['SELECT * FROM users WHERE id = 12345678901', 'SELECT * FROM users WHERE id = 1234567890123'],
    ["SELECT * FROM users WHERE name = 'a'", "SELECT * FROM users WHERE name = E'it\\'s'"],
  ];
  for (const [a, b] of pairs) {
    assert.deepEqual(cache.analyzeCached(a!), analyze(a!));
    const second = cache.analyzeCached(b!);
    assert.deepEqual(second, analyze(b!));
  }
  assert.deepEqual(cache.stats(), { hits: 3, misses: 3, uncacheable: 0, evictions: 0, size: 3, limit: 10 });
  const r = cache.analyzeCached('SELECT * FROM users WHERE id = 1234567890124');
  assert.ok(r.ok);
  assert.deepEqual(r.statements[0]!.keys[0]!.value, { kind: 'literal', type: 'int', text: '1234567890124', offset: 31 });
});

test('plan-cache: SET values, signs and offsets re-bind', () => {
  const cache = new PlanCache({ limit: 10 });
  for (const q of ['SET pgdog.shard = 1', 'SET pgdog.shard = 22', "SET pgdog.sharding_key = 'a'", "SET pgdog.sharding_key = 'bcd'",
    'SET x = -1', 'SET x = -12', 'SET x = +1', 'SET x = +2',
    'SET x = - /* c */ 1', 'SET x = -   /* d */ 2']) {
    assert.deepEqual(cache.analyzeCached(q), analyze(q), q);
  }
  assert.equal(cache.stats().hits, 5);
});

test('plan-cache: a shape with no literal-derived values returns the same frozen analysis', () => {
  const cache = new PlanCache({ limit: 10 });
  const a = cache.analyzeCached('SELECT * FROM t LIMIT 5');
  const b = cache.analyzeCached('SELECT * FROM t LIMIT 6');
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.throws(() => { (a as { ok: boolean }).ok = false; }, TypeError);
});

test('plan-cache: least recently used entries are evicted first', () => {
  const cache = new PlanCache({ limit: 2 });
  cache.analyzeCached('SELECT * FROM a WHERE id = 1');
  cache.analyzeCached('SELECT * FROM b WHERE id = 1');
  cache.analyzeCached('SELECT * FROM a WHERE id = 2'); // hit: a becomes most recent
  cache.analyzeCached('SELECT * FROM c WHERE id = 1'); // evicts b
  assert.deepEqual(cache.stats(), { hits: 1, misses: 3, uncacheable: 0, evictions: 1, size: 2, limit: 2 });
  cache.analyzeCached('SELECT * FROM a WHERE id = 3');
  assert.equal(cache.stats().hits, 2);
  cache.analyzeCached('SELECT * FROM b WHERE id = 3');
  assert.equal(cache.stats().misses, 4);
  cache.setLimit(1);
  assert.equal(cache.stats().size, 1);
  assert.equal(cache.stats().evictions, 3);
  cache.clear();
  assert.equal(cache.stats().size, 0);
});

test('plan-cache: limit 0 disables caching', () => {
  const cache = new PlanCache({ limit: 0 });
  cache.analyzeCached('SELECT 1');
  cache.analyzeCached('SELECT 1');
  assert.deepEqual(cache.stats(), { hits: 0, misses: 2, uncacheable: 2, evictions: 0, size: 0, limit: 0 });
});

test('plan-cache: parse errors, COPY, 2PC and oversized texts are not cached', () => {
  const cache = new PlanCache({ limit: 10, maxQueryLength: 100 });
  const uncached = [
    'SELECT * FROM WHERE 1', 'SELECT * FROM WHERE 1',
    "COPY t FROM STDIN (DELIMITER ',')", "COPY t FROM STDIN (DELIMITER ';')",
    "PREPARE TRANSACTION 'a'", "PREPARE TRANSACTION 'b'",
    `SELECT ${'1 + '.repeat(40)}1`,
    'ALTER INDEX i ALTER COLUMN 1 SET STATISTICS 5', 'ALTER INDEX i ALTER COLUMN 2 SET STATISTICS 5',
    // A doubly negated number: the parser points at the outer sign, not next to the token.
    'SELECT * FROM t WHERE id = - -1', 'SELECT * FROM t WHERE id = - -2',
  ];
  for (const q of uncached) assert.deepEqual(cache.analyzeCached(q), analyze(q), q);
  assert.equal(cache.stats().hits, 0);
  assert.equal(cache.stats().size, 0);
  assert.equal(cache.stats().uncacheable, uncached.length);
});

test('plan-cache: hint comments are part of the shape', () => {
  const cache = new PlanCache({ limit: 10 });
  const a = cache.analyzeCached('SELECT * FROM t WHERE id = 1 /* pgdog_shard: 1 */');
  const b = cache.analyzeCached('SELECT * FROM t WHERE id = 1 /* pgdog_shard: 2 */');
  assert.equal(a.hints.shard, 1);
  assert.equal(b.hints.shard, 2);
  assert.equal(cache.stats().hits, 0);
});
