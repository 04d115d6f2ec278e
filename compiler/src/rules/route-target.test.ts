import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules } from './compile.js';
import { formatRoute, parseRouteTarget } from './route-target.js';

test('valid routes', () => {
  assert.deepEqual(parseRouteTarget('primary', 'r', undefined), { kind: 'primary' });
  assert.deepEqual(parseRouteTarget('replica', 'r', undefined), { kind: 'replica' });
  assert.deepEqual(parseRouteTarget('all_shards', 'r', undefined), { kind: 'all_shards' });
  assert.deepEqual(parseRouteTarget('shard:0', 'r', undefined), { kind: 'shard', shard: 0 });
  assert.deepEqual(parseRouteTarget('shard:17', 'r', undefined), { kind: 'shard', shard: 17 });
  assert.deepEqual(parseRouteTarget('block', 'no ddl', 'DDL goes through migrations'), { kind: 'block', message: 'DDL goes through migrations' });
  assert.deepEqual(parseRouteTarget('block', 'no ddl', undefined), { kind: 'block', message: 'query blocked by rule "no ddl"' });
  for (const r of ['primary', 'replica', 'all_shards', 'shard:3']) {
    const parsed = parseRouteTarget(r, 'x', undefined);
    assert.ok(!('code' in parsed));
    assert.equal(formatRoute(parsed), r);
  }
});

test('E_RULE_BAD_SHARD for shard:N where N is not a shard number', () => {
  const cases: [string, string][] = [
    ['shard:', 'shards are numbered from 0: shard:0, shard:1, ...'],
    ['shard:x', 'shards are numbered from 0: shard:0, shard:1, ...'],
    ['shard:-1', 'shards are numbered from 0: shard:0, shard:1, ...'],
    ['shard:1.5', 'shards are numbered from 0: shard:0, shard:1, ...'],
    ['shard:01', 'write shard:1'],
    ['shard: 2', 'write shard:2'],
    ['shard:9999999999', 'write shard:9999999999'],
  ];
  for (const [route, hint] of cases) assert.deepEqual(parseRouteTarget(route, 'r', undefined), { code: 'E_RULE_BAD_SHARD', message: `\`${route}\` is not a shard number`, hint }, route);
});

test('E_RULE_BAD_ROUTE with hints', () => {
  const cases: [string, string][] = [
    ['replicas', 'did you mean `replica`?'],
    ['primay', 'did you mean `primary`?'],
    ['PRIMARY', 'write `primary` (lower case)'],
    ['shard 2', 'write shard:2'],
    ['shard=2', 'write shard:2'],
    ['allshards', 'did you mean `all_shards`?'],
    ['elsewhere', 'routes are: primary, replica, shard:N, all_shards, block'],
    ['', 'routes are: primary, replica, shard:N, all_shards, block'],
  ];
  for (const [route, hint] of cases) {
    const r = parseRouteTarget(route, 'r', undefined);
    assert.ok('code' in r && r.code === 'E_RULE_BAD_ROUTE', route);
    assert.equal(r.hint, hint, route);
  }
});

test('E_RULE_SHARD_OUT_OF_RANGE uses the shard count of the rule database', () => {
  const shardCount = (db: string | undefined) => (db === 'sharded' ? 2 : db === 'single' ? 1 : undefined);
  const { errors, rules } = compileRules(
    [
      { name: 'ok', database: 'sharded', match: 'select', route: 'shard:1' },
      { name: 'too far', database: 'sharded', match: 'insert', route: 'shard:2' },
      { name: 'single', database: 'single', match: 'update', route: 'shard:1' },
      { name: 'unknown count', match: 'delete', route: 'shard:9' },
    ],
    { shardCount },
  );
  assert.deepEqual(rules.map((r) => r.name), ['ok', 'unknown count']);
  assert.deepEqual(errors.map((e) => [e.code, e.ruleName, e.key, e.message, e.hint]), [
    ['E_RULE_SHARD_OUT_OF_RANGE', 'too far', 'route', 'shard 2 does not exist in database `sharded` (shards 0..1)', 'use shard:0 .. shard:1'],
    ['E_RULE_SHARD_OUT_OF_RANGE', 'single', 'route', 'shard 1 does not exist in database `single` (shards 0..0)', 'the database has a single shard: use primary or replica'],
  ]);
});

test('route errors and match errors of one rule are both reported; the rule is left out', () => {
  const { errors, rules } = compileRules([{ name: 'bad', match: 'selct', route: 'replicas' }]);
  assert.deepEqual(errors.map((e) => [e.code, e.key]), [['E_RULE_UNKNOWN_FLAG', 'match'], ['E_RULE_BAD_ROUTE', 'route']]);
  assert.equal(errors[1].line, undefined);
  assert.deepEqual(rules, []);
});
