// The golden query corpus (fixtures/queries/*.json) through the CLI, both ways: `pgdog test`
// runs every case, and `pgdog route --json` must print routes that match the same expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRoute, parseRouteTests, type Route, type RouteTestCase } from '@pgdog/compiler';
import { fixtures, runCli } from './cli-run.js';

const CORPUS = ['-c', 'fixtures/queries/pgdog.toml', '-u', 'fixtures/queries/users.toml'];
const files = readdirSync(join(fixtures, 'queries')).filter((f) => f.endsWith('.json')).sort().map((f) => `fixtures/queries/${f}`);

function cases(): { file: string; c: RouteTestCase }[] {
  return files.flatMap((file) => {
    const p = parseRouteTests(readFileSync(join(fixtures, '..', file), 'utf8'), file);
    assert.ok(p.ok, file);
    return p.cases.map((c) => ({ file, c }));
  });
}

test('pgdog test: every corpus case passes (at least 150 queries)', () => {
  const r = runCli(['test', ...CORPUS, '-d', 'shop', '--json', ...files]);
  assert.equal(r.status, 0, r.stdout.slice(0, 4000));
  const j = JSON.parse(r.stdout);
  assert.equal(j.failed, 0);
  assert.equal(j.cases, cases().length);
  assert.ok(j.cases >= 150, `${j.cases} cases`);
});

test('pgdog route --json: the routes printed match the corpus expectations', () => {
  // One invocation per database and user. Queries that change the session (SET, BEGIN) or need
  // bind values or session settings are covered by `pgdog test`, since `route` carries the
  // session from one argument to the next.
  const groups = new Map<string, { file: string; c: RouteTestCase }[]>();
  for (const x of cases()) {
    const { c } = x;
    if (c.params !== null || c.session.inTransaction || c.session.hints || c.session.applicationName || c.session.transactionReadOnly) continue;
    if (/\b(SET|RESET|BEGIN|START|COMMIT|ROLLBACK)\b/i.test(c.query)) continue;
    const key = `${c.database ?? 'shop'}\u0000${c.user ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), x]);
  }
  let checked = 0;
  for (const [key, group] of groups) {
    const [database, user] = key.split('\u0000');
    const args = ['route', ...CORPUS, '--json', '-d', database, ...(user ? ['--user', user] : []), '--', ...group.map((x) => x.c.query)];
    const r = runCli(args);
    const routes = JSON.parse(r.stdout) as Route[];
    assert.equal(routes.length, group.length);
    group.forEach(({ file, c }, i) => {
      assert.equal(routes[i].query, c.query);
      assert.deepEqual(compareRoute(routes[i], c.expect), [], `${file} case ${c.index}: ${c.query}`);
      checked++;
    });
    const refused = routes.some((x) => x.blocked !== null) || group.some(({ c }) => c.expect.statement === 'other' && /SELEC /.test(c.query));
    assert.equal(r.status, refused ? 1 : 0, key);
  }
  assert.ok(checked >= 150, `${checked} routes checked`);
});

test('pgdog test finds pgdog.routes.test.toml beside the config', () => {
  const r = runCli(['test', '-c', 'fixtures/valid/sharded/pgdog.toml', '-u', 'fixtures/valid/sharded/users.toml']);
  assert.equal(r.status, 0, r.stdout);
  assert.equal(r.stdout, '10 cases in 1 file: 10 passed, 0 failed\n');
});

test('a failing case prints expected and actual for each differing field, and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-test-'));
  const file = join(dir, 'routes.test.toml');
  writeFileSync(file, [
    '[[case]]', 'name = "right"', 'query = "SELECT * FROM orders WHERE customer_id = 42"', 'expect = { shards = [0] }', '',
    '[[case]]', 'name = "wrong"', 'query = "SELECT * FROM orders WHERE customer_id = 42"', 'expect = { shards = [1], role = "primary", rule = "x" }', '',
  ].join('\n'));
  const r = runCli(['test', '-c', 'fixtures/valid/sharded/pgdog.toml', '-u', 'fixtures/valid/sharded/users.toml', file]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.stdout.split('\n'), [
    `FAIL ${file} case 2 "wrong"`,
    '  query:    SELECT * FROM orders WHERE customer_id = 42',
    '  shards:   expected [1]',
    '            actual   [0]',
    '  role:     expected primary',
    '            actual   replica',
    '  rule:     expected x',
    '            actual   null',
    '  reason:   Key orders.customer_id = 42 hashes to shard 0 (hash afd30d9a116a5a62); a read, served by a replica.',
    '',
    '2 cases in 1 file: 1 passed, 1 failed',
    '',
  ]);
  const json = JSON.parse(runCli(['test', '-c', 'fixtures/valid/sharded/pgdog.toml', '-u', 'fixtures/valid/sharded/users.toml', '--json', file]).stdout);
  assert.deepEqual(json.failures[0].diffs, [
    { field: 'shards', expected: [1], actual: [0] },
    { field: 'role', expected: 'primary', actual: 'replica' },
    { field: 'rule', expected: 'x', actual: null },
  ]);
});

test('a malformed test file runs nothing and exits 1; a missing one exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-test-'));
  const bad = join(dir, 'bad.toml');
  writeFileSync(bad, '[[case]]\nquery = "SELECT 1"\nexpect = { shard = 1 }\n');
  const r = runCli(['test', '-c', 'fixtures/valid/sharded/pgdog.toml', '-u', 'fixtures/valid/sharded/users.toml', bad]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /case 1: unknown key `shard` in expect/);
  assert.match(r.stderr, /no case was run/);
  const missing = runCli(['test', '-c', 'fixtures/valid/sharded/pgdog.toml', '-u', 'fixtures/valid/sharded/users.toml', join(dir, 'none.toml')]);
  assert.equal(missing.status, 2);
});
