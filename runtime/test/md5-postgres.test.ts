// md5 hashes against PostgreSQL's own: its md5() over password || user, and the rolpassword it
// stores under password_encryption = md5.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { md5Password } from '../src/auth/md5.js';

let pg: PgServer;
before(async () => {
  pg = await startPostgres();
});
after(() => stopAll());

const cases: [string, string][] = [['user', 'pw'], ['alice', 'secret'], ['bob', 'pässwörd'], ['Mixed Case', 'quote\'s "and" spaces'], ['日本', 'パスワード']];

test('md5Password equals SELECT \'md5\' || md5(password || user)', async () => {
  for (const [user, password] of cases) {
    const [row] = await pg.query<{ h: string }>("SELECT 'md5' || md5($1 || $2) AS h", [password, user]);
    assert.equal(md5Password(user, password), row.h, `${user}/${password}`);
  }
});

test('md5Password equals the rolpassword PostgreSQL stores for an md5 password', async () => {
  for (const [i, [, password]] of cases.entries()) {
    const role = `md5_probe_${i}`;
    const literal = password.replace(/'/g, "''");
    await pg.query(`BEGIN; SET LOCAL password_encryption = 'md5'; CREATE ROLE ${role} LOGIN PASSWORD '${literal}'; COMMIT`);
    const [row] = await pg.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
    assert.equal(md5Password(role, password), row.rolpassword);
  }
});
