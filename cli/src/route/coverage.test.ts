import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Route } from '@pgdog/compiler';
import { Coverage, coverageJson, formatCoverage } from './coverage.js';

const base: Route = {
  query: 'q', database: 'd', user: 'u', statement: 'select', tables: [], shards: [0], role: 'replica', source: 'default',
  rule: null, key: null, cross_shard: false, blocked: null, reason: 'r.',
};

test('shares are of calls; broadcasts are grouped by shape and ranked by calls', () => {
  const c = new Coverage();
  c.add({ ...base, shards: [1] }, 50, '', true);
  c.add({ ...base, shards: [0, 2], role: 'primary' }, 10, '', true);
  c.add({ ...base, query: 'SELECT * FROM a', shards: 'all', reason: 'no key for a.' }, 20, 'A', true);
  c.add({ ...base, query: 'SELECT * FROM a -- again', shards: 'all' }, 5, 'A', true);
  c.add({ ...base, query: 'SELECT * FROM b', shards: 'all' }, 10, 'B', false);
  c.add({ ...base, shards: 'all', source: 'sharding_key' }, 3, 'C', true);
  c.add({ ...base, shards: [], blocked: { message: 'm', sqlstate: '42501' } }, 2, '', true);
  const j = coverageJson(c, 'log', 'pg_stat_statements', 2, 5);
  assert.equal(j.calls, 100);
  assert.equal(j.queries, 7);
  assert.deepEqual(j.shares, { single_shard: 0.5, multi_shard: 0.1, all_shards: 0.38, unbound_key: 0.03, blocked: 0.02, primary: 0.1, replica: 0.88, unparsed: 0.1 });
  assert.deepEqual(j.top_broadcasts.map((b) => [b.query, b.calls, b.share]), [['SELECT * FROM a', 25, 0.25], ['SELECT * FROM b', 10, 0.1]]);
  const text = formatCoverage(j).join('\n');
  assert.match(text, /single-shard {3}50\.0%/);
  assert.match(text, /of which 3\.0% have a sharding key bound at run time/);
  assert.match(text, /25\.0% +25 calls {2}SELECT \* FROM a\n +no key for a\./);
});
