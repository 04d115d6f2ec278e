import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseScramVerifier } from '@pgdog/runtime';
import { startPostgres, stopAll } from '@pgdog/testing';
import { runCli } from './cli-run.js';

after(() => stopAll());

function hash(password: string): string {
  const r = runCli(['hash', password]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.trimEnd();
}

test('pgdog hash prints one SCRAM-SHA-256 verifier line', () => {
  const r = runCli(['hash', 'hunter2']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=\n$/);
  assert.ok(parseScramVerifier(r.stdout.trimEnd()));
});

test('salts are random: the same password hashes differently each time', () => {
  assert.notEqual(hash('same'), hash('same'));
});

test('`pgdog hash -` reads the password from stdin (one trailing newline dropped)', () => {
  const r = runCli(['hash', '-'], { input: 'from-stdin\n' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(parseScramVerifier(r.stdout.trimEnd()));
});

test('an empty password is refused', () => {
  assert.equal(runCli(['hash', '']).status, 2);
  assert.equal(runCli(['hash', '-'], { input: '\n' }).status, 2);
});

test('a missing PASSWORD is a usage error', () => {
  const r = runCli(['hash']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /password/i);
});

test('a hashed password logs in to a real PostgreSQL (psql, SCRAM) when set as the role password', async () => {
  const pg = await startPostgres({ users: [{ name: 'hashed', password: 'initial-password', auth: 'scram' }] });
  const psql = pg.pgbin('psql');
  assert.ok(psql, 'psql is needed to log in the way applications do');
  const login = (password: string) =>
    spawnSync(psql, ['-X', '-A', '-t', '-c', 'SELECT current_user', 'postgres'], {
      env: { ...process.env, ...pg.env('hashed'), PGPASSWORD: password },
      encoding: 'utf8',
    });
  for (const password of ['correct horse battery staple', 'päss\u00a0wörd \u2168']) {
    const verifier = hash(password);
    await pg.query(`ALTER ROLE hashed PASSWORD '${verifier}'`);
    const [row] = await pg.query<{ rolpassword: string }>("SELECT rolpassword FROM pg_authid WHERE rolname = 'hashed'");
    assert.equal(row.rolpassword, verifier, 'PostgreSQL stores the verifier as given');
    const ok = login(password);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'hashed');
    const wrong = login(password + 'x');
    assert.notEqual(wrong.status, 0);
    assert.match(wrong.stderr, /password authentication failed/);
  }
});
