import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, runCli } from './cli-run.js';

function sandbox(fixture = 'valid/sharded'): string {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-compile-'));
  copyFileSync(join(fixtures, fixture, 'pgdog.toml'), join(dir, 'pgdog.toml'));
  copyFileSync(join(fixtures, fixture, 'users.toml'), join(dir, 'users.toml'));
  return dir;
}

test('compile writes pgdog.routes.json beside the config, says where, and is byte-identical on reruns', () => {
  const dir = sandbox();
  const first = runCli(['compile'], { cwd: dir });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^wrote (\.\/)?pgdog\.routes\.json: 1 database, 7 sharded tables, 3 rules \(\d+ ms\)\n$/);
  const bytes = readFileSync(join(dir, 'pgdog.routes.json'));
  assert.equal(runCli(['compile'], { cwd: dir }).status, 0);
  assert.ok(bytes.equals(readFileSync(join(dir, 'pgdog.routes.json'))));
  const table = JSON.parse(bytes.toString('utf8'));
  assert.equal(table.version, 1);
  assert.doesNotMatch(bytes.toString('utf8'), /shop-password|ops-password/);
});

test('-o writes elsewhere; --json returns the summary and nothing else', () => {
  const dir = sandbox();
  const out = join(dir, 'build-routes.json');
  const r = runCli(['compile', '-c', join(dir, 'pgdog.toml'), '-u', join(dir, 'users.toml'), '-o', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual({ ...j, milliseconds: 0 }, { output: out, written: true, check: null, databases: 1, shardedTables: 7, rules: 3, milliseconds: 0, warnings: [] });
  assert.ok(existsSync(out));
  assert.equal(existsSync(join(dir, 'pgdog.routes.json')), false);
});

test('--check: 1 when missing, 0 when current, 1 when either file changed or the table was edited', () => {
  const dir = sandbox();
  const missing = runCli(['compile', '--check'], { cwd: dir });
  assert.equal(missing.status, 1);
  assert.match(missing.stdout, /pgdog\.routes\.json is missing: run pgdog compile/);
  assert.equal(runCli(['compile'], { cwd: dir }).status, 0);
  const current = runCli(['compile', '--check', '--json'], { cwd: dir });
  assert.equal(current.status, 0);
  assert.equal(JSON.parse(current.stdout).check, 'current');
  assert.equal(existsSync(join(dir, 'pgdog.routes.json')), true);

  writeFileSync(join(dir, 'users.toml'), `${readFileSync(join(dir, 'users.toml'), 'utf8')}\n# rotated\n`);
  const stale = runCli(['compile', '--check'], { cwd: dir });
  assert.equal(stale.status, 1);
  assert.match(stale.stdout, /is stale: it was compiled from other versions/);

  assert.equal(runCli(['compile'], { cwd: dir }).status, 0);
  const path = join(dir, 'pgdog.routes.json');
  writeFileSync(path, readFileSync(path, 'utf8').replace('"readWriteStrategy": "conservative"', '"readWriteStrategy": "aggressive"'));
  const edited = runCli(['compile', '--check'], { cwd: dir });
  assert.equal(edited.status, 1);
  assert.match(edited.stdout, /differs from what this pgdog compiles/);

  writeFileSync(path, '{"version": 2}');
  const invalid = runCli(['compile', '--check', '--json'], { cwd: dir });
  assert.equal(invalid.status, 1);
  assert.equal(JSON.parse(invalid.stdout).check, 'invalid');
});

test('an invalid config compiles nothing (exit 1); an unreadable one is a usage error (exit 2)', () => {
  const r = runCli(['compile', '-c', 'fixtures/broken/query-rule-expressions/pgdog.toml', '-u', 'fixtures/broken/users.toml', '-o', join(mkdtempSync(join(tmpdir(), 'pgdog-')), 'r.json')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /pgdog\.toml:16:21: error E_RULE_UNKNOWN_FIELD unknown field `tabel`/);
  assert.match(r.stderr, /nothing compiled/);
  const missing = runCli(['compile', '-c', 'nope/pgdog.toml', '-u', 'nope/users.toml', '--json']);
  assert.equal(missing.status, 2);
  assert.equal(JSON.parse(missing.stdout).error.exit, 2);
});

test('rule warnings are printed and do not fail the compile', () => {
  const dir = sandbox();
  const toml = readFileSync(join(dir, 'pgdog.toml'), 'utf8');
  writeFileSync(join(dir, 'pgdog.toml'), `${toml}\n[[query_rules]]\nname = "late"\ndatabase = "shop"\nmatch = "select and table = 'daily_totals'"\nroute = "primary"\n`);
  const r = runCli(['compile'], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /warning W_RULE_SHADOWED rule `late` never applies/);
});
