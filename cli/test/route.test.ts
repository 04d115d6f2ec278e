import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli-run.js';

const SHARDED = ['-c', 'fixtures/valid/sharded/pgdog.toml', '-u', 'fixtures/valid/sharded/users.toml'];
const CORPUS = ['-c', 'fixtures/queries/pgdog.toml', '-u', 'fixtures/queries/users.toml'];

function tmpFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pgdog-route-')), name);
  writeFileSync(path, text);
  return path;
}

test('human output: query, route and reason per query', () => {
  const r = runCli(['route', ...SHARDED, 'SELECT * FROM orders WHERE customer_id = 42', 'SELECT * FROM countries']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n'), [
    'query:  SELECT * FROM orders WHERE customer_id = 42',
    'route:  shard 0, replica  [sharding_key]',
    'reason: Key orders.customer_id = 42 hashes to shard 0 (hash afd30d9a116a5a62); a read, served by a replica.',
    '',
    'query:  SELECT * FROM countries',
    'route:  shard 0, replica  [rule, rule "reads of reference data from replicas"]',
    'reason: Table countries is omnisharded, so any one shard answers (shard 0); rule "reads of reference data from replicas" sends it to the replica.',
    '',
  ]);
});

test('--json prints an array of route objects; -p binds parameters (repeatable)', () => {
  const r = runCli(['route', ...SHARDED, '--json', '-p', '7', '-p', '42', 'SELECT * FROM orders WHERE customer_id IN ($1, $2)']);
  assert.equal(r.status, 0, r.stderr);
  const [route] = JSON.parse(r.stdout);
  assert.deepEqual(route.shards, [0, 1]);
  assert.equal(route.cross_shard, true);
  assert.equal(route.source, 'sharding_key');
  assert.equal(route.database, 'shop');
  assert.equal(route.user, 'shop');
});

test('-f: statements of a script, with SET and BEGIN carried over; - reads stdin', () => {
  const script = 'BEGIN;\nSET LOCAL pgdog.shard TO 2;\nSELECT * FROM orders; -- hinted\nCOMMIT;\n/* pgdog_role: primary */ SELECT * FROM orders WHERE customer_id = 42;\n';
  const r = runCli(['route', ...SHARDED, '--json', '-f', '-'], { input: script });
  assert.equal(r.status, 0, r.stderr);
  const routes = JSON.parse(r.stdout) as { query: string; shards: unknown; role: string; source: string }[];
  assert.deepEqual(routes.map((x) => [x.query, x.shards, x.role, x.source]), [
    ['BEGIN', [0], 'primary', 'default'],
    ['SET LOCAL pgdog.shard TO 2', [2], 'primary', 'set'],
    ['SELECT * FROM orders', [2], 'primary', 'set'],
    ['-- hinted\nCOMMIT', [2], 'primary', 'set'],
    ['/* pgdog_role: primary */ SELECT * FROM orders WHERE customer_id = 42', [0], 'primary', 'comment'],
  ]);
  const file = tmpFile('script.sql', script);
  const fromFile = runCli(['route', ...SHARDED, '--json', '-f', file]);
  assert.deepEqual(JSON.parse(fromFile.stdout), routes);
});

test('-d, --user and --in-transaction change the route', () => {
  const strict = runCli(['route', ...CORPUS, '-d', 'shop', '--user', 'strict', '--json', 'SELECT * FROM orders']);
  assert.equal(strict.status, 1, 'a refused query exits 1');
  assert.equal(JSON.parse(strict.stdout)[0].blocked.sqlstate, '0A000');
  const tx = runCli(['route', ...CORPUS, '-d', 'shop', '--in-transaction', '--json', 'SELECT * FROM orders WHERE customer_id = 42']);
  assert.equal(JSON.parse(tx.stdout)[0].role, 'primary');
  const ledger = runCli(['route', ...CORPUS, '-d', 'ledger', '--json', 'SELECT * FROM accounts WHERE tenant_id = 5']);
  assert.equal(JSON.parse(ledger.stdout)[0].database, 'ledger');
  assert.equal(JSON.parse(ledger.stdout)[0].user, 'ledger');
});

test('exit codes: blocked or unparsable query 1, usage 2', () => {
  const blocked = runCli(['route', ...CORPUS, '-d', 'shop', 'DELETE FROM audit_log']);
  assert.equal(blocked.status, 1);
  assert.match(blocked.stdout, /route: {2}BLOCKED \(SQLSTATE 42501\): audit_log is append-only/);
  assert.equal(runCli(['route', ...SHARDED, 'SELEC 1']).status, 1);
  const several = runCli(['route', ...CORPUS, 'SELECT 1']);
  assert.equal(several.status, 2);
  assert.match(several.stderr, /several databases \(shop, ledger, analytics\): pick one with -d/);
  assert.equal(runCli(['route', ...SHARDED]).status, 2);
  assert.equal(runCli(['route', ...SHARDED, '-d', 'nope', 'SELECT 1']).status, 2);
  assert.equal(runCli(['route', ...SHARDED, '--log', '/nonexistent/log']).status, 2);
  assert.equal(runCli(['route', ...SHARDED, '-f', '/nonexistent.sql']).status, 2);
  assert.equal(runCli(['route', '-c', 'fixtures/broken/shard-gap/pgdog.toml', '-u', 'fixtures/broken/users.toml', 'SELECT 1']).status, 1);
});

test('--log with plain lines: coverage shares and the top broadcast shapes', () => {
  const lines = [
    ...Array.from({ length: 6 }, (_, i) => `SELECT * FROM orders WHERE customer_id = ${i}`),
    'SELECT * FROM orders WHERE status = 1',
    'SELECT * FROM orders WHERE status = 2',
    'UPDATE orders SET total = 0',
    'SELECT * FROM orders WHERE customer_id IN (1, 2, 3)',
  ];
  const r = runCli(['route', ...SHARDED, '--json', '--log', tmpFile('q.log', `${lines.join('\n')}\n`)]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.format, 'lines');
  assert.equal(j.queries, 10);
  assert.deepEqual(j.shares, { single_shard: 0.6, multi_shard: 0.1, all_shards: 0.3, unbound_key: 0, blocked: 0, primary: 0.1, replica: 0.9, unparsed: 0 });
  assert.deepEqual(j.top_broadcasts.map((b: { query: string; calls: number }) => [b.query, b.calls]), [['SELECT * FROM orders WHERE status = 1', 2], ['UPDATE orders SET total = 0', 1]]);
  const human = runCli(['route', ...SHARDED, '--log', tmpFile('q.log', lines.join('\n'))]);
  assert.match(human.stdout, /10 queries, 10 calls \(one statement per line\)/);
  assert.match(human.stdout, /single-shard {3}60\.0%/);
  assert.match(human.stdout, /Top broadcast queries/);
});

test('--log with a pg_stat_statements CSV export: weighted by calls, $n keys counted apart', () => {
  const csv = [
    'userid,dbid,queryid,query,calls,total_exec_time',
    '10,16384,1,"SELECT * FROM orders WHERE customer_id = $1",900,12.5',
    '10,16384,2,"SELECT *\nFROM orders\nWHERE status = $1",50,3.0',
    '10,16384,3,"UPDATE audit_log SET note = $1",0,0',
    '10,16384,4,"SELECT * FROM countries",50,1.0',
  ].join('\n');
  const r = runCli(['route', ...CORPUS, '-d', 'shop', '--json', '--log', tmpFile('pgss.csv', csv)]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.format, 'pg_stat_statements');
  assert.equal(j.queries, 4);
  assert.equal(j.calls, 1000);
  assert.deepEqual(j.shares, { single_shard: 0.05, multi_shard: 0, all_shards: 0.95, unbound_key: 0.9, blocked: 0, primary: 0, replica: 1, unparsed: 0 });
  assert.deepEqual(j.top_broadcasts.map((b: { calls: number }) => b.calls), [50]);
});
