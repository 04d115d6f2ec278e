// route() beyond the golden corpus: the plugin slot, bind parameters in binary format, settings
// that the corpus config does not use, purity, and the plan cache giving the same routes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze, fingerprintSql, initialSessionState, PlanCache, route, advanceSession, toRouteSession,
  type Route, type RouteInput, type RoutingTable,
} from '../src/index.js';
import { corpusRoutingTable } from './support/corpus-table.js';

let table: RoutingTable;

before(async () => {
  table = await corpusRoutingTable();
});

function input(query: string, extra: Partial<RouteInput> = {}): RouteInput {
  return { database: 'shop', user: 'shop', query, analysis: analyze(query), session: { inTransaction: false }, ...extra };
}

function int8(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

const ORDERS_42 = 'SELECT * FROM orders WHERE customer_id = 42';

test('the route object has exactly the SPEC keys, in order', () => {
  const r = route(table, input(ORDERS_42));
  assert.deepEqual(Object.keys(r), ['query', 'database', 'user', 'statement', 'tables', 'shards', 'role', 'source', 'rule', 'key', 'cross_shard', 'blocked', 'reason']);
  assert.equal(typeof r.reason, 'string');
  assert.match(r.reason, /^[A-Z].*\.$/);
});

test('binary bind parameters: int8, int4, int2 and uuid hash like their text forms', () => {
  const q = 'SELECT * FROM orders WHERE customer_id = $1';
  const text = route(table, input(q, { params: { values: ['42'] } }));
  const i8 = route(table, input(q, { params: { values: [int8(42n)], formats: [1] } }));
  const i4 = Buffer.alloc(4);
  i4.writeInt32BE(42);
  const i2 = Buffer.alloc(2);
  i2.writeInt16BE(42);
  assert.deepEqual(i8.shards, text.shards);
  assert.deepEqual(route(table, input(q, { params: { values: [i4], formats: [1] } })).shards, text.shards);
  assert.deepEqual(route(table, input(q, { params: { values: [i2], formats: [1] } })).shards, text.shards);
  assert.equal(i8.key?.hash, text.key?.hash);
  const uq = 'SELECT * FROM devices WHERE device_id = $1';
  const uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
  const bytes = Buffer.from(uuid.replaceAll('-', ''), 'hex');
  assert.deepEqual(route(table, input(uq, { params: { values: [bytes], formats: [1] } })).shards, route(table, input(uq, { params: { values: [uuid] } })).shards);
  // Text-format bytes (as a Bind message carries them).
  assert.deepEqual(route(table, input(q, { params: { values: [Buffer.from('42')], formats: [0] } })).shards, text.shards);
});

test('format codes: one code applies to all parameters, several are per parameter', () => {
  const q = 'SELECT * FROM orders WHERE customer_id = $2 AND status = $1';
  const expected = route(table, input('SELECT * FROM orders WHERE customer_id = 71')).shards;
  assert.deepEqual(route(table, input(q, { params: { values: [Buffer.from('open'), int8(71n)], formats: [0, 1] } })).shards, expected);
  assert.deepEqual(route(table, input(q, { params: { values: [Buffer.from('open'), Buffer.from('71')], formats: [0] } })).shards, expected);
});

test('a binary array parameter (= ANY($1)) spreads over its elements', () => {
  // array_send of int8[] {1, 2, 3}: ndim 1, no nulls, oid 20, dim 3 from 1.
  const head = Buffer.alloc(20);
  head.writeInt32BE(1, 0);
  head.writeInt32BE(0, 4);
  head.writeInt32BE(20, 8);
  head.writeInt32BE(3, 12);
  head.writeInt32BE(1, 16);
  const elems = [1n, 2n, 3n].map((v) => Buffer.concat([Buffer.from([0, 0, 0, 8]), int8(v)]));
  const arr = Buffer.concat([head, ...elems]);
  const r = route(table, input('SELECT * FROM orders WHERE customer_id = ANY($1)', { params: { values: [arr], formats: [1] } }));
  assert.deepEqual(r.shards, route(table, input('SELECT * FROM orders WHERE customer_id IN (1, 2, 3)')).shards);
  const broken = route(table, input('SELECT * FROM orders WHERE customer_id = ANY($1)', { params: { values: [arr.subarray(0, 30)], formats: [1] } }));
  assert.equal(broken.shards, 'all');
  assert.match(broken.reason, /not a one-dimensional array/);
});

test('NULL, missing and malformed parameter values do not restrict, and say why', () => {
  const q = 'SELECT * FROM orders WHERE customer_id = $1';
  const nul = route(table, input(q, { params: { values: [null] } }));
  assert.equal(nul.shards, 'all');
  assert.match(nul.reason, /\$1 \(orders\.customer_id\) is NULL/);
  const missing = route(table, input(q, { params: { values: [] } }));
  assert.equal(missing.shards, 'all');
  assert.match(missing.reason, /no value is bound to \$1/i);
  const bad = route(table, input(q, { params: { values: [Buffer.from([1, 2, 3])], formats: [1] } }));
  assert.equal(bad.shards, 'all');
  assert.match(bad.reason, /must be 2, 4 or 8 bytes/);
});

test('the plugin slot: a plugin decision outranks hints and rules, but not block rules', () => {
  const plugin = route(table, input('/* pgdog_shard: 2 */ SELECT * FROM orders', { plugin: { plugin: 'p', shard: 1, role: 'primary' } }));
  assert.deepEqual([plugin.shards, plugin.role, plugin.source], [[1], 'primary', 'plugin']);
  const all = route(table, input(ORDERS_42, { plugin: { plugin: 'p', shard: 'all' } }));
  assert.deepEqual([all.shards, all.source, all.role], ['all', 'plugin', 'replica']);
  const roleOnly = route(table, input(ORDERS_42, { plugin: { plugin: 'p', role: 'primary' } }));
  assert.deepEqual([roleOnly.role, roleOnly.source, roleOnly.key?.value], ['primary', 'plugin', '42']);
  const blocked = route(table, input(ORDERS_42, { plugin: { plugin: 'p', block: 'nope' } }));
  assert.deepEqual(blocked.blocked, { message: 'nope', sqlstate: '42501' });
  assert.equal(blocked.source, 'plugin');
  const rule = route(table, input('DELETE FROM audit_log', { plugin: { plugin: 'p', shard: 1 } }));
  assert.equal(rule.rule, 'audit log is append-only');
  assert.equal(rule.blocked?.sqlstate, '42501');
  const outOfRange = route(table, input(ORDERS_42, { plugin: { plugin: 'p', shard: 9 } }));
  assert.equal(outOfRange.blocked?.sqlstate, '22023');
});

test('an unknown database is refused with 3D000', () => {
  const r = route(table, input('SELECT 1', { database: 'nope' }));
  assert.deepEqual(r.blocked?.sqlstate, '3D000');
  assert.match(r.blocked?.message ?? '', /databases: shop, ledger, analytics/);
  assert.deepEqual(r.shards, []);
});

test('route() is pure: same input, same output; the input is not changed', () => {
  const i = input('INSERT INTO orders (customer_id) VALUES (1), (2), (3)', { session: { inTransaction: true, hints: { shard: null, shardingKey: null, role: null } } });
  const frozen = structuredClone(i);
  const a = route(table, i);
  const b = route(table, i);
  assert.deepEqual(a, b);
  assert.deepEqual(i, frozen);
});

test('analyses from the plan cache route exactly like fresh ones', () => {
  const cache = new PlanCache({ limit: 100 });
  const queries = [
    ORDERS_42, 'SELECT * FROM orders WHERE customer_id = 43', "SELECT * FROM sessions WHERE token = 'x'", "SELECT * FROM sessions WHERE token = 'y'",
    'INSERT INTO orders (customer_id, total) VALUES (1, 2), (3, 4)', 'INSERT INTO orders (customer_id, total) VALUES (5, 6), (7, 8)',
    "SELECT * FROM stores WHERE region = 'eu-west-1'", "SELECT * FROM stores WHERE region = 'us-east-1'", '/* pgdog_shard: 1 */ SELECT 1',
  ];
  for (let round = 0; round < 2; round++) {
    for (const q of queries) {
      const cached = route(table, { ...input(q), analysis: cache.analyzeCached(q) });
      assert.deepEqual(cached, route(table, input(q)), q);
    }
  }
  assert.ok(cache.stats().hits >= queries.length);
});

function withGeneral(patch: Partial<RoutingTable['general']>): RoutingTable {
  const t = structuredClone(table);
  Object.assign(t.general, patch);
  return t;
}

test('read_write_split = prefer_primary keeps reads on the primary unless a hint asks for a replica', () => {
  const t = withGeneral({ readWriteSplit: 'prefer_primary' });
  assert.equal(route(t, input(ORDERS_42)).role, 'primary');
  assert.equal(route(t, input(`/* pgdog_role: replica */ ${ORDERS_42}`)).role, 'replica');
});

test('read_write_strategy = aggressive lets reads in a transaction use replicas', () => {
  const t = withGeneral({ readWriteStrategy: 'aggressive' });
  assert.equal(route(t, input(ORDERS_42, { session: { inTransaction: true } })).role, 'replica');
  assert.equal(route(table, input(ORDERS_42, { session: { inTransaction: true } })).role, 'primary');
});

test('cross_shard_disabled: general setting, a user entry for the database wins over all_databases', () => {
  const t = withGeneral({ crossShardDisabled: true });
  t.users = [
    { name: 'a', databases: null, crossShardDisabled: false },
    { name: 'b', databases: null, crossShardDisabled: false },
    { name: 'b', databases: ['shop'], crossShardDisabled: true },
  ];
  const all = 'SELECT * FROM orders';
  assert.equal(route(t, input(all, { user: 'nobody' })).blocked?.sqlstate, '0A000');
  assert.equal(route(t, input(all, { user: 'a' })).blocked, null);
  assert.equal(route(t, input(all, { user: 'b' })).blocked?.sqlstate, '0A000');
  assert.equal(route(t, input(all, { user: 'b', database: 'ledger' })).blocked, null);
});

test('sessions: SET pgdog.* and BEGIN carry over between queries, LOCAL ends with the transaction', () => {
  let s = initialSessionState();
  const run = (q: string): Route => {
    const analysis = analyze(q);
    const r = route(table, { database: 'shop', user: 'shop', query: q, analysis, session: toRouteSession(s) });
    if (analysis.ok) s = advanceSession(s, analysis.statements);
    return r;
  };
  run('SET pgdog.shard TO 1');
  assert.deepEqual(run('SELECT * FROM orders').shards, [1]);
  run('BEGIN');
  run('SET LOCAL pgdog.shard TO 2');
  const inTx = run('SELECT * FROM orders');
  assert.deepEqual([inTx.shards, inTx.role], [[2], 'primary']);
  run('COMMIT');
  assert.deepEqual(run('SELECT * FROM orders').shards, [1]);
  run('RESET pgdog.shard');
  assert.equal(run('SELECT * FROM orders').shards, 'all');
  run("SET application_name TO 'admin'");
  assert.equal(run('SELECT * FROM orders').rule, 'admin tool pinned to shard 0');
  run('SET LOCAL pgdog.shard TO 2');
  const after = run('SELECT * FROM orders');
  assert.deepEqual([after.shards, after.source], [[0], 'rule'], 'SET LOCAL outside a transaction does nothing');
});

test('rules on fingerprint match every literal of a shape (pg_query fingerprints, computed only when asked)', () => {
  const t = structuredClone(table);
  const fp = fingerprintSql('SELECT * FROM orders WHERE customer_id = 1');
  assert.match(fp, /^[0-9a-f]{16}$/);
  t.rules = [{ index: 0, name: 'hot shape', match: `fingerprint = '${fp}'`, expr: { type: 'compare', field: 'fingerprint', op: '=', values: [fp] }, route: { kind: 'block', message: 'not now' } }];
  assert.equal(route(t, input('SELECT * FROM orders WHERE customer_id = 987')).blocked?.message, 'not now');
  assert.equal(route(t, input('/* other */ SELECT *  FROM orders WHERE customer_id = $1')).blocked?.message, 'not now');
  assert.equal(route(t, input('SELECT id FROM orders WHERE customer_id = 1')).blocked, null);
});
