import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';
import { bannerLines, connectCommand, pgdogCommandFor, shellWord } from './banner.js';
import { demoConfig } from './demo-config.js';

const input = { host: '127.0.0.1', port: 6432, primaryPort: 5001, replicaPorts: [5002], shardPorts: [5003, 5004], database: 'pgdog', user: 'pgdog', password: 'pgdog' };

test('the demo config loads without errors or warnings: primary + replica, and two shards', async () => {
  const files = demoConfig(input);
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
      r.config.pgdog.databases.map((d) => [d.name, d.port, d.role, d.database_name ?? null, d.shard ?? 0]),
      [
        ['pgdog', 5001, 'primary', null, 0],
        ['pgdog', 5002, 'replica', null, 0],
        ['pgdog_sharded', 5003, 'primary', 'shard_0', 0],
        ['pgdog_sharded', 5004, 'primary', 'shard_1', 1],
      ],
    );
    assert.deepEqual(
      r.config.pgdog.sharded_tables.map((t) => [t.database, t.name, t.column, t.data_type]),
      [['pgdog_sharded', 'users', 'id', 'bigint'], ['pgdog_sharded', 'orders', 'user_id', 'bigint']],
    );
    assert.deepEqual(r.config.pgdog.omnisharded_tables.map((t) => [t.database, t.tables]), [['pgdog_sharded', ['countries']]]);
    assert.deepEqual(r.config.users.users.map((u) => [u.name, u.password, u.database]), [['pgdog', 'pgdog', 'pgdog'], ['pgdog', 'pgdog', 'pgdog_sharded']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the connect line points at loopback even when listening on every address', () => {
  const who = { user: 'pgdog', password: 'pgdog', database: 'pgdog' };
  assert.equal(connectCommand({ ...who, host: '127.0.0.1', port: 6432 }), 'psql "postgres://pgdog:pgdog@127.0.0.1:6432/pgdog"');
  assert.equal(connectCommand({ ...who, host: '0.0.0.0', port: 7000 }), 'psql "postgres://pgdog:pgdog@127.0.0.1:7000/pgdog"');
});

const base = { ...input, configDir: '/c', dataDir: '/d', pgdogCommand: 'node cli/bin/run.js' };

test('the banner says how the demo will stop', () => {
  assert.ok(bannerLines({ ...base, exitAfterSec: null }).some((l) => l.includes('Ctrl-C')));
  assert.ok(bannerLines({ ...base, exitAfterSec: 0 }).some((l) => l.includes('--no-wait')));
  assert.ok(bannerLines({ ...base, exitAfterSec: 5 }).some((l) => l.includes('in 5 s')));
});

test('the banner lists every server, a psql line per database, and the dry-run command', () => {
  const lines = bannerLines({ ...base, exitAfterSec: null });
  for (const expected of [
    '  replica  127.0.0.1:5002 (streaming from the primary; serves the reads)',
    '  shard 0  127.0.0.1:5003/shard_0',
    '  shard 1  127.0.0.1:5004/shard_1',
    '  psql "postgres://pgdog:pgdog@127.0.0.1:6432/pgdog"',
    '  psql "postgres://pgdog:pgdog@127.0.0.1:6432/pgdog_sharded"',
    '  psql "postgres://pgdog:pgdog@127.0.0.1:5004/shard_1"   # shard 1',
    "  node cli/bin/run.js route -c /c/pgdog.toml -u /c/users.toml -d pgdog_sharded 'SELECT * FROM orders WHERE user_id = 42'",
  ]) {
    assert.ok(lines.includes(expected), `missing ${JSON.stringify(expected)} in\n${lines.join('\n')}`);
  }
});

test('shell words are quoted only when needed, and the bin is relative below the shell directory', () => {
  assert.equal(shellWord('/tmp/pgdog-demo-x/pgdog.toml'), '/tmp/pgdog-demo-x/pgdog.toml');
  assert.equal(shellWord("it's here"), `'it'\\''s here'`);
  assert.equal(pgdogCommandFor('/repo', '/repo/cli/bin/run.js'), 'node cli/bin/run.js');
  assert.equal(pgdogCommandFor('/elsewhere', '/repo/cli/bin/run.js'), 'node /repo/cli/bin/run.js');
  assert.equal(pgdogCommandFor('/', '/my repo/bin/run.js'), "node 'my repo/bin/run.js'");
});
