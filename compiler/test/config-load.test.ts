import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, MAX_CONFIG_BYTES } from '../src/index.js';

let dir: string;
const USERS = '[[users]]\nname = "u"\ndatabase = "shop"\npassword = "secret-password"\n';
const SHOP = '[[databases]]\nname = "shop"\nhost = "10.0.0.1"\nshard = 0\n\n[[databases]]\nname = "shop"\nhost = "10.0.0.2"\nshard = 1\n';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pgdog-config-'));
  writeFileSync(join(dir, 'users.toml'), USERS);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('a valid pair loads into a frozen config with the files\' hashes', async () => {
  const configPath = write('ok.toml', SHOP);
  const r = await loadConfig({ configPath, usersPath: join(dir, 'users.toml') });
  assert.deepEqual([r.errors, r.warnings], [[], []]);
  assert.ok(r.config && Object.isFrozen(r.config));
  assert.equal(r.config.sources.configPath, configPath);
  assert.equal(r.config.sources.configSha256, createHash('sha256').update(readFileSync(configPath)).digest('hex'));
  assert.equal(r.config.pgdog.databases[1].shard, 1);
});

test('a missing file is an I/O error naming the path; the other file is still checked', async () => {
  const missing = join(dir, 'nope.toml');
  const r = await loadConfig({ configPath: missing, usersPath: write('bad-users.toml', '[[users]]\nnme = "x"\n') });
  assert.equal(r.config, null);
  assert.deepEqual(r.errors.map((e) => [e.code, e.file, e.line, e.column]), [
    ['E_FILE_NOT_FOUND', missing, 0, 0],
    ['E_REQUIRED', join(dir, 'bad-users.toml'), 1, 1],
    ['E_UNKNOWN_KEY', join(dir, 'bad-users.toml'), 2, 1],
  ]);
  assert.match(r.errors[0].message, new RegExp(`file not found: ${missing}`));
});

test('a directory is unreadable as a config', async () => {
  const r = await loadConfig({ configPath: dir, usersPath: join(dir, 'users.toml') });
  assert.deepEqual(r.errors.map((e) => e.code), ['E_FILE_UNREADABLE']);
  assert.match(r.errors[0].message, /it is a directory/);
});

test('binary bytes generated on the fly are E_BINARY', async () => {
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
  const r = await loadConfig({ configPath: write('random.bin', bytes), usersPath: join(dir, 'users.toml') });
  assert.deepEqual(r.errors.map((e) => [e.code, e.line, e.column]), [['E_BINARY', 1, 1]]);
});

test(`files over ${MAX_CONFIG_BYTES} bytes are refused without being read`, async () => {
  const configPath = write('huge.toml', Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
  const r = await loadConfig({ configPath, usersPath: join(dir, 'users.toml') });
  assert.deepEqual(r.errors.map((e) => [e.code, e.line, e.column]), [['E_FILE_TOO_LARGE', 0, 0]]);
});

test('a 5 MB config (500,000 list-mapping values) is valid and loads in seconds', async () => {
  // Generated, not committed: a large tenant list mapping is the realistic way to get a huge config.
  const parts = [SHOP, '\n[[sharded_tables]]\ndatabase = "shop"\nname = "tenants"\ncolumn = "tenant_id"\n'];
  let n = 0;
  for (let shard = 0; shard < 2; shard++) {
    parts.push(`\n[[sharded_tables.mapping]]\nshard = ${shard}\nvalues = [\n`);
    for (let i = 0; i < 250_000; i++) parts.push(`  ${n++},\n`);
    parts.push(']\n');
  }
  const configPath = write('five-mb.toml', parts.join(''));
  assert.ok(readFileSync(configPath).length > 4_800_000);
  const started = Date.now();
  const r = await loadConfig({ configPath, usersPath: join(dir, 'users.toml') });
  const elapsed = Date.now() - started;
  assert.deepEqual(r.errors, []);
  assert.equal(r.config?.pgdog.sharded_tables[0].mapping?.[1].values?.length, 250_000);
  assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
});

test('problems in both files are all reported, errors before warnings, in file order', async () => {
  const configPath = write('multi.toml', '[general]\nport = "x"\nunique_id_min = 2\n\n' + SHOP + '\n[[sharded_tables]]\ndatabase = "shop"\ncolumn = 1\n');
  const usersPath = write('multi-users.toml', '[[users]]\nname = "u"\ndatabase = "shpo"\npassword = "secret-password"\npool_sise = 1\n');
  const r = await loadConfig({ configPath, usersPath });
  assert.deepEqual(r.errors.map((e) => `${e.file === configPath ? 'pgdog' : 'users'}:${e.line}:${e.column} ${e.code}`), [
    'pgdog:2:8 E_TYPE',
    'pgdog:17:10 E_TYPE',
    'users:3:12 E_UNKNOWN_DATABASE',
    'users:5:1 E_UNKNOWN_KEY',
  ]);
  // The only user points at a misspelled database, so `shop` has no users.
  assert.deepEqual(r.warnings.map((w) => `${w.line}:${w.column} ${w.code}`), ['3:1 W_UNIMPLEMENTED', '6:8 W_DATABASE_NO_USERS']);
  assert.equal(r.config, null);
});

test('no message or hint ever contains a password', async () => {
  const secret = 'hunter2-very-secret';
  const usersPath = write('secret-users.toml', `[[users]]\nname = "u"\ndatabase = "nope"\npassword = "${secret}"\npasswords = [1]\nserver_password = 5\n\n[[users]]\nname = "u"\ndatabase = "nope"\npassword = "${secret}"\n`);
  const configPath = write('secret.toml', `[admin]\npassword = 7\n\n[[databases]]\nname = "a"\nhost = "h"\npassword = ["${secret}"]\n`);
  const r = await loadConfig({ configPath, usersPath });
  assert.ok(r.errors.length >= 5);
  const text = JSON.stringify([r.errors, r.warnings]);
  assert.doesNotMatch(text, new RegExp(secret));
  assert.doesNotMatch(text, /\(7\)|\(5\)|\(1\)/);
});

test('a warning-only config still loads', async () => {
  const r = await loadConfig({ configPath: write('warn.toml', '[general]\nunique_id_min = 3\n\n' + SHOP), usersPath: join(dir, 'users.toml') });
  assert.deepEqual(r.errors, []);
  assert.equal(r.warnings.length, 1);
  assert.ok(r.config);
});
