import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { probeAuth, startPrimaryWithReplicas, stopAll, type PgServer } from '../src/index.js';

let primary: PgServer;
let replica: PgServer;

before(async () => {
  ({ primary, replicas: [replica] } = await startPrimaryWithReplicas(1));
});
after(() => stopAll());

test('pg_basebackup replica is in recovery and streams from the primary', async () => {
  assert.ok(existsSync(join(replica.dataDir, 'standby.signal')));
  assert.deepEqual(await replica.query('SELECT pg_is_in_recovery() AS r'), [{ r: true }]);
  assert.deepEqual(await primary.query('SELECT pg_is_in_recovery() AS r'), [{ r: false }]);
  const [st] = await primary.query<{ state: string; application_name: string }>('SELECT state, application_name FROM pg_stat_replication');
  assert.deepEqual(st, { state: 'streaming', application_name: replica.name });
  await assert.rejects(replica.query('CREATE TABLE nope (x int)'), /read-only transaction/);
});

test('a row written on the primary is visible on the replica after waitForReplay', async () => {
  await primary.query('CREATE TABLE items (id int PRIMARY KEY, v text)');
  for (let i = 1; i <= 5; i++) {
    // Default async commit: waitForReplay must still cover it.
    await primary.query('INSERT INTO items VALUES ($1, $2)', [i, `v${i}`]);
    await primary.waitForReplay(replica);
    assert.deepEqual(await replica.query('SELECT v FROM items WHERE id = $1', [i]), [{ v: `v${i}` }]);
  }
});

test('createUser on the primary also opens pg_hba on its replicas', async () => {
  await primary.createUser({ name: 'reader', password: 'r-pw', auth: 'md5' });
  await primary.waitForReplay(replica);
  assert.deepEqual(await probeAuth(replica.connectionConfig('reader')), { method: 'md5', ok: true });
});

test('backup-API replica (the embedded path) with system binaries', async () => {
  const r2 = await primary.startReplica({ method: 'backup-api' });
  assert.ok(existsSync(join(r2.dataDir, 'backup_label')) || existsSync(join(r2.dataDir, 'backup_label.old')));
  await primary.query("INSERT INTO items VALUES (100, 'after-r2')");
  await primary.waitForReplay(r2);
  assert.deepEqual(await r2.query('SELECT count(*)::int AS n FROM items'), [{ n: 6 }]);
  assert.deepEqual(await r2.query('SELECT pg_is_in_recovery() AS r'), [{ r: true }]);
  await r2.destroy();
  assert.equal(primary.replicas.includes(r2), false);
});

test('promote() turns the replica into a writable primary', async () => {
  await primary.waitForReplay(replica);
  await replica.promote();
  assert.equal(replica.isReplica, false);
  assert.deepEqual(await replica.query('SELECT pg_is_in_recovery() AS r'), [{ r: false }]);
  await replica.query("INSERT INTO items VALUES (200, 'on-promoted')");
  assert.deepEqual(await replica.query('SELECT count(*)::int AS n FROM items'), [{ n: 7 }]);
});
