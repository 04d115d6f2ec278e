// The registry built from a real config file pair: pools by (user, database, shard, role),
// pre-warming min_pool_size, settings reaching the server, and closing everything.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@pgdog/compiler';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { buildSnapshot, type RuntimeSnapshot } from '../src/config/snapshot.js';
import { PoolRegistry, loadServerTls } from '../src/pool/registry.js';
import { simpleQuery } from './support/collecting-sink.js';

let pg: PgServer;
let dir: string;
let snapshot: RuntimeSnapshot;

before(async () => {
  pg = await startPostgres({
    users: [
      { name: 'alice', password: 'alice pw', auth: 'scram' },
      { name: 'bob', password: 'bob pw', auth: 'md5' },
    ],
    databases: [{ name: 'shop', owner: 'alice' }],
  });
  dir = mkdtempSync(join(tmpdir(), 'pgdog-registry-'));
  writeFileSync(join(dir, 'pgdog.toml'), `
[general]
min_pool_size = 2
default_pool_size = 4

[[databases]]
name = "store"
host = "127.0.0.1"
port = ${pg.port}
database_name = "shop"
statement_timeout = 4321
`);
  writeFileSync(join(dir, 'users.toml'), `
[[users]]
name = "alice"
database = "store"
password = "alice pw"

[[users]]
name = "bob"
database = "store"
password = "bob pw"
min_pool_size = 0
read_only = true
`);
  const r = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
  assert.ok(r.config, JSON.stringify(r.errors));
  snapshot = buildSnapshot(r.config);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await stopAll();
});

async function backends(user: string): Promise<number> {
  const [row] = await pg.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND datname = 'shop'", [user]);
  return Number(row.n);
}

async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, 'timed out');
    await sleep(10);
  }
}

it('serves pools from the snapshot, pre-warms them, and closes them all', async () => {
  const registry = new PoolRegistry(snapshot);
  assert.equal(registry.get('mallory', 'store'), null);
  assert.equal(registry.get('alice', 'shop'), null); // clients use the logical name
  assert.equal(registry.get('alice', 'store', 0, 'replica'), null);
  registry.prewarm();
  const alice = registry.get('alice', 'store');
  assert.ok(alice);
  assert.equal(registry.get('alice', 'store'), alice);
  assert.deepEqual(registry.list().map((p) => p.name).sort(), ['alice@store', 'bob@store']);
  await until(async () => (await backends('alice')) === 2);
  assert.equal(await backends('bob'), 0);

  const bob = registry.get('bob', 'store');
  assert.ok(bob);
  const lease = await bob.checkout();
  const r = await simpleQuery(lease.server, 'SHOW statement_timeout; SHOW default_transaction_read_only; SELECT current_database()');
  assert.deepEqual(r.rows, [['4321ms'], ['on'], ['shop']]);
  lease.release();
  assert.deepEqual(registry.stats().map((s) => [s.name, s.stats.idle]).sort(), [['alice@store', 2], ['bob@store', 1]]);

  await registry.closeAll();
  assert.equal(registry.get('alice', 'store'), alice);
  await until(async () => (await backends('alice')) + (await backends('bob')) === 0);
  await assert.rejects(alice.checkout(), /shutting down/);
});

it('reads the TLS files once, and names a file it cannot read', () => {
  const general = snapshot.general;
  assert.deepEqual(loadServerTls({ ...general, tls_verify: 'disabled', tls_server_ca_certificate: '/nope' }, () => Buffer.alloc(0)), { mode: 'disabled' });
  const read: string[] = [];
  const tls = loadServerTls({ ...general, tls_verify: 'verify_full', tls_server_ca_certificate: '/ca.pem' }, (p) => {
    read.push(p);
    return Buffer.from('PEM');
  });
  assert.deepEqual([tls.mode, tls.ca?.toString(), read], ['verify_full', 'PEM', ['/ca.pem']]);
  assert.throws(() => loadServerTls({ ...general, tls_verify: 'verify_ca', tls_server_ca_certificate: join(dir, 'missing.pem') }), /cannot read tls_server_ca_certificate .*missing\.pem: ENOENT/);
});
