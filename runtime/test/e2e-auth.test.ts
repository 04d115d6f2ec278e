// The authentication matrix through pgdog to a real PostgreSQL: every client method pgdog offers
// (scram, md5, plain, trust) against users with a password, several passwords or a password_hash,
// plus the refusals (wrong password, unknown user, unknown database) and the server side logging
// in with whatever method PostgreSQL asks for (SCRAM, md5, cleartext, trust).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { probeAuth, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { createScramVerifier } from '../src/auth/scram-verifier.js';
import { psql, startPgdog, type Pgdog } from './e2e-harness.js';

type Method = 'scram' | 'md5' | 'plain' | 'trust';
const OBSERVED: Record<Method, string> = { scram: 'scram-sha-256', md5: 'md5', plain: 'password', trust: 'trust' };

describe('pgdog end to end: authentication matrix', { timeout: 180_000 }, () => {
  let pg: PgServer;
  const dogs = new Map<Method, Pgdog>();

  before(async () => {
    pg = await startPostgres({
      users: [
        { name: 'app', password: 'secret', auth: 'scram' },
        { name: 'legacy', password: 'old-secret', auth: 'md5' },
        { name: 'clear', password: 'clear-secret', auth: 'password' },
        { name: 'trusted', auth: 'trust' },
      ],
      databases: [{ name: 'appdb', owner: 'app' }],
    });
    for (const method of ['scram', 'md5', 'plain', 'trust'] as const) {
      dogs.set(method, await startPgdog({
        general: { auth_type: method },
        databases: [{ name: 'appdb', port: pg.port }],
        users: [
          { name: 'app', password: 'secret', database: 'appdb' },
          { name: 'rotating', passwords: ['first-pw', 'second-pw'], server_user: 'app', server_password: 'secret', database: 'appdb' },
          { name: 'hashed', password_hash: createScramVerifier('hashed-pw'), server_user: 'app', server_password: 'secret', database: 'appdb' },
          { name: 'legacy', password: 'old-secret', database: 'appdb' },
          { name: 'clear', password: 'clear-secret', database: 'appdb' },
          { name: 'trusted', password: 'pgdog-side', database: 'appdb' },
        ],
      }));
    }
  });
  after(async () => {
    for (const d of dogs.values()) await d.stop();
    await stopAll();
  });

  for (const method of ['scram', 'md5', 'plain', 'trust'] as const) {
    describe(`auth_type = ${method}`, () => {
      it('logs in with the right password and asks for the configured method', async () => {
        const dog = dogs.get(method)!;
        const probe = await probeAuth(dog.config('app', 'secret', 'appdb'));
        assert.equal(probe.ok, true, probe.error?.message);
        assert.equal(probe.method, OBSERVED[method]);
        const r = await psql(pg, dog.env('app', 'secret', 'appdb'), 'select current_user');
        assert.equal(r.stderr, '');
        assert.equal(r.stdout.trim(), 'app');
      });

      it('accepts each of several passwords, and a password_hash user', async () => {
        const dog = dogs.get(method)!;
        for (const pw of ['first-pw', 'second-pw']) {
          const p = await probeAuth(dog.config('rotating', pw, 'appdb'));
          assert.equal(p.ok, true, `${pw}: ${p.error?.message}`);
        }
        const hashed = await probeAuth(dog.config('hashed', 'hashed-pw', 'appdb'));
        assert.equal(hashed.ok, true, hashed.error?.message);
        // A SCRAM hash holds nothing md5 can check, so md5 falls back to SCRAM for that user.
        if (method === 'md5') assert.equal(hashed.method, 'scram-sha-256');
        const r = await psql(pg, dog.env('hashed', 'hashed-pw', 'appdb'), 'select current_user');
        assert.equal(r.stdout.trim(), 'app', r.stderr);
      });

      it('refuses a wrong password and an unknown user alike (28P01), unless trust', async () => {
        const dog = dogs.get(method)!;
        const wrong = await probeAuth(dog.config('app', 'not-it', 'appdb'));
        const unknown = await probeAuth(dog.config('nobody', 'not-it', 'appdb'));
        if (method === 'trust') {
          assert.equal(wrong.ok, true);
          assert.equal(unknown.ok, false);
          assert.equal(unknown.error?.code, '28000');
          return;
        }
        assert.equal(wrong.ok, false);
        assert.equal(wrong.error?.code, '28P01');
        assert.equal(wrong.error?.message, 'password authentication failed for user "app"');
        assert.equal(unknown.ok, false);
        assert.equal(unknown.error?.code, '28P01');
        assert.equal(unknown.error?.message, 'password authentication failed for user "nobody"');
        // Same exchange for both: the client cannot tell which one it hit.
        assert.equal(unknown.method, wrong.method);
      });

      it('reports an unknown database after authentication (3D000)', async () => {
        const dog = dogs.get(method)!;
        const p = await probeAuth(dog.config('app', 'secret', 'nosuchdb'));
        assert.equal(p.ok, false);
        assert.equal(p.error?.code, '3D000');
        assert.equal(p.error?.message, 'database "nosuchdb" does not exist');
        if (method !== 'trust') {
          const bad = await probeAuth(dog.config('app', 'not-it', 'nosuchdb'));
          assert.equal(bad.error?.code, '28P01', 'the password is checked first');
        }
      });
    });
  }

  it('logs in to servers that ask for md5, cleartext or nothing', async () => {
    const dog = dogs.get('scram')!;
    for (const [user, password] of [['legacy', 'old-secret'], ['clear', 'clear-secret'], ['trusted', 'pgdog-side']]) {
      const r = await psql(pg, dog.env(user, password, 'appdb'), 'select current_user');
      assert.equal(r.stderr, '', user);
      assert.equal(r.stdout.trim(), user);
    }
  });
});
