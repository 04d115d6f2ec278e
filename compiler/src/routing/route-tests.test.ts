import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRoute } from './route-expect.js';
import { parseRouteTests } from './route-tests.js';
import type { Route } from './route-types.js';

const TOML = `
[[case]]
name = "one"
query = "SELECT 1"
params = [42, "x", true]
database = "shop"
session = { in_transaction = true, shard = 2, role = "replica", application_name = "app" }
expect = { shards = [2, 1], role = "replica", rule = false, key = { value = "42" }, blocked = false }

[[case]]
query = "SELECT 2"
expect = { shards = "all", blocked = { sqlstate = "0A000" }, reason = "cross-shard" }
`;

test('TOML cases: every field read, shards sorted, rule = false means no rule', () => {
  const r = parseRouteTests(TOML, 't.toml');
  assert.ok(r.ok);
  assert.equal(r.cases.length, 2);
  const [a, b] = r.cases;
  assert.deepEqual(a, {
    index: 1,
    name: 'one',
    query: 'SELECT 1',
    params: ['42', 'x', 'true'],
    database: 'shop',
    user: null,
    session: { inTransaction: true, transactionReadOnly: false, applicationName: 'app', hints: { shard: 2, shardingKey: null, role: 'replica' } },
    expect: { shards: [1, 2], role: 'replica', rule: null, key: { value: '42' }, blocked: false },
  });
  assert.deepEqual(b.expect, { shards: 'all', blocked: { sqlstate: '0A000' }, reason: 'cross-shard' });
});

test('every problem of every case is reported with its case number', () => {
  const r = parseRouteTests('[[case]]\nquery = ""\nexpect = { shard = [1], role = "leader" }\n[[case]]\nquery = "x"\nsesion = {}\n', 'f.toml');
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.errors, [
    'f.toml: case 1: `query` is required (a non-empty string)',
    'f.toml: case 1: unknown key `shard` in expect (allowed: shards, role, source, rule, statement, tables, key, cross_shard, blocked, reason)',
    'f.toml: case 1: `expect.role` must be one of primary, replica',
    'f.toml: case 2: unknown key `sesion` in the case (allowed: name, query, params, database, user, session, expect)',
    'f.toml: case 2: `expect` is required',
  ]);
  const syntax = parseRouteTests('[[case]\n', 'g.toml');
  assert.match(syntax.ok ? '' : syntax.errors[0], /^g\.toml:1:\d+: TOML syntax error/);
  assert.deepEqual(parseRouteTests('[]', 'c.json'), { ok: false, errors: ['c.json: no cases'] });
  assert.deepEqual(parseRouteTests('{}', 'c.json'), { ok: false, errors: ['c.json: a JSON corpus is an array of cases'] });
});

test('JSON corpora: null params and rule null', () => {
  const r = parseRouteTests('[{"query":"SELECT $1","params":[null,"a"],"expect":{"rule":null,"key":null}}]', 'c.json');
  assert.ok(r.ok);
  assert.deepEqual(r.cases[0].params, [null, 'a']);
  assert.deepEqual(r.cases[0].expect, { rule: null, key: null });
});

const ROUTE: Route = {
  query: 'q', database: 'shop', user: 'u', statement: 'select', tables: ['orders'], shards: [1], role: 'replica', source: 'sharding_key',
  rule: null, key: { table: 'orders', column: 'customer_id', value: '7', hash: '00' }, cross_shard: false, blocked: null, reason: 'Key orders.customer_id = 7.',
};

test('compareRoute checks only the named fields, keys and blocks in part, reason as a substring', () => {
  assert.deepEqual(compareRoute(ROUTE, { shards: [1], role: 'replica', key: { value: '7' }, blocked: false, reason: 'customer_id = 7', tables: ['orders'] }), []);
  assert.deepEqual(compareRoute(ROUTE, { shards: 'all', rule: 'r', key: null }).map((d) => d.field), ['shards', 'rule', 'key']);
  const blocked: Route = { ...ROUTE, shards: [], blocked: { message: 'no cross-shard', sqlstate: '0A000' } };
  assert.deepEqual(compareRoute(blocked, { blocked: { sqlstate: '0A000', message: 'cross' } }), []);
  assert.deepEqual(compareRoute(blocked, { blocked: { sqlstate: '42501' } }).map((d) => d.field), ['blocked']);
  assert.deepEqual(compareRoute(ROUTE, { blocked: true }), [{ field: 'blocked', expected: true, actual: null }]);
});
