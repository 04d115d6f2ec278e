import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';
import { bannerLines, connectCommand } from './banner.js';
import { demoConfig } from './demo-config.js';

test('the demo config loads without errors or warnings: one primary and one replica', async () => {
  const files = demoConfig({ host: '127.0.0.1', port: 6432, primaryPort: 5001, replicaPorts: [5002], database: 'pgdog', user: 'pgdog', password: 'pgdog' });
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-demo-config-test-'));
  try {
    writeFileSync(join(dir, 'pgdog.toml'), files.pgdogToml);
    writeFileSync(join(dir, 'users.toml'), files.usersToml);
    const r = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.ok(r.config);
    assert.equal(r.config.pgdog.general.port, 6432);
    assert.equal(r.config.pgdog.general.read_write_split, 'exclude_primary');
    assert.deepEqual(
      r.config.pgdog.databases.map((d) => [d.name, d.port, d.role]),
      [['pgdog', 5001, 'primary'], ['pgdog', 5002, 'replica']],
    );
    assert.deepEqual(r.config.users.users.map((u) => [u.name, u.password, u.database]), [['pgdog', 'pgdog', 'pgdog']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the connect line points at loopback even when listening on every address', () => {
  const who = { user: 'pgdog', password: 'pgdog', database: 'pgdog' };
  assert.equal(connectCommand({ ...who, host: '127.0.0.1', port: 6432 }), 'psql "postgres://pgdog:pgdog@127.0.0.1:6432/pgdog"');
  assert.equal(connectCommand({ ...who, host: '0.0.0.0', port: 7000 }), 'psql "postgres://pgdog:pgdog@127.0.0.1:7000/pgdog"');
});

test('the banner says how the demo will stop', () => {
  const base = { host: '127.0.0.1', port: 6432, user: 'pgdog', password: 'pgdog', database: 'pgdog', primaryPort: 1, replicaPorts: [2], configDir: '/c', dataDir: '/d' };
  assert.ok(bannerLines({ ...base, exitAfterSec: null }).some((l) => l.includes('Ctrl-C')));
  assert.ok(bannerLines({ ...base, exitAfterSec: 0 }).some((l) => l.includes('--no-wait')));
  assert.ok(bannerLines({ ...base, exitAfterSec: 5 }).some((l) => l.includes('in 5 s')));
  assert.ok(bannerLines({ ...base, exitAfterSec: null }).includes('  replica  127.0.0.1:2 (streaming from the primary; serves the reads)'));
});
