// Our verifiers against PostgreSQL's own: PostgreSQL hashes a plain password given to ALTER ROLE
// (applying its SASLprep), and we derive the same keys from its salt.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { deriveScramVerifier, parseScramVerifier } from '../src/auth/scram-verifier.js';

let pg: PgServer;
before(async () => {
  pg = await startPostgres();
  await pg.query("CREATE ROLE verifier_probe LOGIN");
});
after(() => stopAll());

const passwords = [
  'hunter2',
  'with spaces and symbols !@#$%^&*()',
  'päss wörd',
  'non\u00a0breaking\u2003spaces',
  'soft\u00adhyphen',
  '\u2168 roman nine',
  'ﬁ ligature',
  'ascii control \u0007 kept',
  '\u05d0a mixed bidi',
  'private \ue000 use',
  '\u00ad',
];

for (const password of passwords) {
  test(`same StoredKey and ServerKey as PostgreSQL for ${JSON.stringify(password)}`, async () => {
    const literal = password.replace(/'/g, "''");
    // One round trip, so the SET applies to the ALTER whichever pooled connection runs it.
    await pg.query(`SET password_encryption = 'scram-sha-256'; ALTER ROLE verifier_probe PASSWORD '${literal}'`);
    const [row] = await pg.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'verifier_probe'");
    const theirs = parseScramVerifier(row.rolpassword);
    assert.ok(theirs, row.rolpassword);
    const ours = deriveScramVerifier(password, theirs.salt, theirs.iterations);
    assert.deepEqual([ours.storedKey.toString('base64'), ours.serverKey.toString('base64')], [theirs.storedKey.toString('base64'), theirs.serverKey.toString('base64')]);
  });
}
