import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser, PlanCache, ROUTING_TABLE_VERSION, type RoutingTable } from '@pgdog/compiler';
import { target } from '../balance/target.js';
import { QueryRouter } from './query-router.js';

function table(strategy: 'conservative' | 'aggressive'): RoutingTable {
  return {
    version: ROUTING_TABLE_VERSION,
    sources: { config: { file: 'pgdog.toml', sha256: '0' }, users: { file: 'users.toml', sha256: '0' } },
    general: { readWriteSplit: 'include_primary', readWriteStrategy: strategy, crossShardDisabled: false, omnishardedSticky: false, queryCacheLimit: 100 },
    databases: [
      {
        name: 'app',
        shards: [{ shard: 0, hosts: [{ role: 'primary', host: '127.0.0.1', port: 1, databaseName: 'app' }, { role: 'replica', host: '127.0.0.1', port: 2, databaseName: 'app' }] }],
        shardedTables: [],
        omnishardedTables: [],
      },
    ],
    users: [],
    rules: [],
    plugins: [],
  };
}

function router(strategy: 'conservative' | 'aggressive' = 'conservative'): QueryRouter {
  return new QueryRouter({ table: table(strategy), cache: new PlanCache({ limit: 100 }), aggressive: strategy === 'aggressive' }, 'app', 'u', undefined);
}

const idle = { inTransaction: false, beginHeld: false };
const inTx = { inTransaction: true, beginHeld: false };
const PRIMARY = { kind: 'run', target: target(0, 'primary') };
const REPLICA = { kind: 'run', target: target(0, 'replica') };

describe('QueryRouter', () => {
  before(() => loadSqlParser());

  it('reads go to a replica; writes, FOR UPDATE and nextval to the primary', () => {
    const r = router();
    assert.deepEqual(r.query('SELECT * FROM t WHERE id = 1', idle), REPLICA);
    assert.deepEqual(r.query('INSERT INTO t VALUES (1)', idle), PRIMARY);
    assert.deepEqual(r.query('SELECT * FROM t WHERE id = 1 FOR UPDATE', idle), PRIMARY);
    assert.deepEqual(r.query("SELECT nextval('s')", idle), PRIMARY);
    assert.deepEqual(r.query('not sql at all', idle), PRIMARY);
  });

  it('conservative: BEGIN and reads inside a read-write transaction on the primary, BEGIN READ ONLY on a replica', () => {
    const r = router();
    assert.deepEqual(r.query('BEGIN', idle), PRIMARY);
    assert.deepEqual(r.query('SELECT 1', inTx), PRIMARY);
    assert.deepEqual(r.query('COMMIT', inTx), PRIMARY);
    assert.deepEqual(r.query('BEGIN READ ONLY', idle), REPLICA);
    assert.deepEqual(r.query('START TRANSACTION READ ONLY', idle), REPLICA);
  });

  it('hints: SET pgdog.role and comments win over the default', () => {
    const r = router();
    assert.deepEqual(r.query('/* pgdog_role: primary */ SELECT 1', idle), PRIMARY);
    r.query("SET pgdog.role TO 'primary'", idle);
    assert.deepEqual(r.query('SELECT 1', idle), PRIMARY);
    r.query('RESET pgdog.role', idle);
    assert.deepEqual(r.query('SELECT 1', idle), REPLICA);
  });

  it('extended protocol: a Bind follows the route of its statement name', () => {
    const r = router();
    assert.deepEqual(r.parse('w', 'UPDATE t SET a = $1', idle), PRIMARY);
    assert.deepEqual(r.parse('r', 'SELECT a FROM t WHERE id = $1', idle), REPLICA);
    assert.equal(r.bind('w'), target(0, 'primary'));
    assert.equal(r.bind('r'), target(0, 'replica'));
    assert.equal(r.bind('unknown'), null);
    r.parse('r', 'DELETE FROM t', idle);
    assert.equal(r.bind('r'), target(0, 'primary'));
  });

  it('aggressive: a lone BEGIN is held; the first statement decides; COMMIT of nothing is answered here', () => {
    const r = router('aggressive');
    assert.deepEqual(r.query('BEGIN', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('SELECT 1', { inTransaction: false, beginHeld: true }), REPLICA);
    assert.deepEqual(r.query('BEGIN', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('UPDATE t SET a = 1', { inTransaction: false, beginHeld: true }), PRIMARY);
    assert.deepEqual(r.query('begin isolation level serializable', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('COMMIT', { inTransaction: false, beginHeld: true }), { kind: 'end_held', tag: 'COMMIT' });
    assert.deepEqual(r.query('BEGIN', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('ABORT', { inTransaction: false, beginHeld: true }), { kind: 'end_held', tag: 'ROLLBACK' });
    // Read only needs no hold: it goes to a replica at once.
    assert.deepEqual(r.query('BEGIN READ ONLY', idle), REPLICA);
    // Inside a transaction already open on a server, BEGIN is not held (PostgreSQL warns).
    assert.notDeepEqual(r.query('BEGIN', inTx), { kind: 'hold_begin' });
  });
});
