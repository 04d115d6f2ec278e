import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { probeAuth, startPostgres, type PgServer } from '../src/index.js';

let pg: PgServer;

before(async () => {
  pg = await startPostgres({
    settings: { log_connections: 'on' },
    users: [
      { name: 'scram_user', password: 'scram-pw', auth: 'scram' },
      { name: 'md5_user', password: 'md5-pw', auth: 'md5' },
      { name: 'plain_user', password: 'plain-pw', auth: 'password' },
      { name: 'trust_user', auth: 'trust' },
      // md5-stored but forced to SCRAM: must be refused.
      { name: 'md5_forced_scram', password: 'x', auth: 'scram', stored: 'md5' },
      { name: 'app_trust', password: 'app-pw', auth: 'trust', databases: ['app'] },
    ],
    databases: [{ name: 'app', owner: 'app_trust' }],
  });
});
after(() => pg.destroy());

async function stored(user: string): Promise<string> {
  const [row] = await pg.query<{ p: string }>('SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1', [user]);
  return row.p;
}

test('SCRAM user: stored as SCRAM-SHA-256, logs in with SCRAM, wrong password refused', async () => {
  assert.match(await stored('scram_user'), /^SCRAM-SHA-256\$4096:/);
  assert.deepEqual(await probeAuth(pg.connectionConfig('scram_user')), { method: 'scram-sha-256', ok: true });
  const bad = await probeAuth(pg.connectionConfig('scram_user', 'wrong'));
  assert.equal(bad.ok, false);
  assert.equal(bad.method, 'scram-sha-256');
  assert.equal(bad.error?.code, '28P01');
});

test('md5 user: stored as md5, logs in with md5, wrong password refused', async () => {
  assert.match(await stored('md5_user'), /^md5[0-9a-f]{32}$/);
  assert.deepEqual(await probeAuth(pg.connectionConfig('md5_user')), { method: 'md5', ok: true });
  const bad = await probeAuth(pg.connectionConfig('md5_user', 'wrong'));
  assert.deepEqual([bad.ok, bad.method, bad.error?.code], [false, 'md5', '28P01']);
  // The server's own record of the method it used.
  assert.match(pg.readLog(), /connection authenticated: identity="md5_user" method=md5/);
  assert.match(pg.readLog(), /connection authenticated: identity="scram_user" method=scram-sha-256/);
});

test('pg_hba rules: per-user methods before the md5 catch-all', async () => {
  const rules = await pg.query<{ user_name: string[]; database: string[]; auth_method: string }>(
    'SELECT user_name, database, auth_method FROM pg_hba_file_rules WHERE error IS NULL ORDER BY line_number',
  );
  const byUser = new Map(rules.map((r) => [`${r.user_name.join()}@${r.database.join()}`, r.auth_method]));
  assert.equal(byUser.get('scram_user@all'), 'scram-sha-256');
  assert.equal(byUser.get('md5_user@all'), 'md5');
  assert.equal(byUser.get('plain_user@all'), 'password');
  assert.equal(byUser.get('trust_user@all'), 'trust');
  assert.equal(byUser.get('app_trust@app'), 'trust');
  assert.equal(rules.at(-1)?.auth_method, 'md5');
  assert.deepEqual(rules.at(-1)?.user_name, ['all']);
});

test('an md5-stored password cannot log in where SCRAM is required', async () => {
  assert.match(await stored('md5_forced_scram'), /^md5/);
  const res = await probeAuth(pg.connectionConfig('md5_forced_scram'));
  assert.equal(res.ok, false);
  assert.equal(res.error?.code, '28P01');
});

test('password (cleartext) and trust methods', async () => {
  assert.deepEqual(await probeAuth(pg.connectionConfig('plain_user')), { method: 'password', ok: true });
  assert.equal((await probeAuth(pg.connectionConfig('plain_user', 'nope'))).ok, false);
  assert.deepEqual(await probeAuth(pg.connectionConfig('trust_user')), { method: 'trust', ok: true });
  assert.deepEqual(await probeAuth(pg.connectionConfig('trust_user', 'anything')), { method: 'trust', ok: true });
});

test('per-database rule: trust on its database, catch-all md5 (a SCRAM exchange) elsewhere', async () => {
  assert.deepEqual(await probeAuth(pg.connectionConfig('app_trust', 'wrong', 'app')), { method: 'trust', ok: true });
  const elsewhere = await probeAuth(pg.connectionConfig('app_trust', 'wrong', 'postgres'));
  assert.deepEqual([elsewhere.ok, elsewhere.method], [false, 'scram-sha-256']);
  assert.equal((await probeAuth(pg.connectionConfig('app_trust', undefined, 'postgres'))).ok, true);
});

test('createUser on a running server rewrites pg_hba and waits for the reload', async () => {
  await pg.createUser({ name: 'late_md5', password: 'late', auth: 'md5' });
  await pg.createUser({ name: 'late_scram_md5', password: 'late', auth: 'scram', stored: 'md5' });
  assert.deepEqual(await probeAuth(pg.connectionConfig('late_md5')), { method: 'md5', ok: true });
  // Only the reloaded rule (not the catch-all) refuses this one.
  assert.equal((await probeAuth(pg.connectionConfig('late_scram_md5'))).ok, false);
  const client = await pg.connect('late_md5');
  const res = await client.query<{ u: string }>('SELECT current_user AS u');
  await client.end();
  assert.equal(res.rows[0].u, 'late_md5');
});
