// Client authentication against real clients: psql (libpq), node-postgres and postgres.js log in
// to a server made of the protocol layer plus authenticateClient, for every method and every kind
// of users.toml credential, then run SELECT 1. Failures are compared with PostgreSQL's own: the
// same clients against a real server must see the same SQLSTATE and text.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import postgres from 'postgres';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { FakeServer } from '../src/protocol/testing/fake-server.js';
import { authenticateClient, type ClientAuthMethod, type ClientCredentials } from '../src/auth/client-auth.js';
import { createScramVerifier } from '../src/auth/scram-verifier.js';
import { md5Password } from '../src/auth/md5.js';

const require = createRequire(import.meta.url);
const pg = require('pg') as {
  Client: new (config: object) => { connect(): Promise<void>; query(q: string): Promise<{ rows: Record<string, unknown>[] }>; end(): Promise<void> };
};

type Outcome = { ok: true; value: string } | { ok: false; code: string; message: string };

async function viaPsql(port: number, user: string, password: string, database = 'shop'): Promise<Outcome> {
  const conn = `host=127.0.0.1 port=${port} user=${user} dbname=${database} sslmode=disable gssencmode=disable`;
  return new Promise((resolve) => {
    execFile('/usr/bin/psql', [conn, '-X', '-A', '-t', '-c', 'SELECT 1'],
      { env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' }, timeout: 10_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, value: stdout.trim() });
        // libpq prints no SQLSTATE for a login failure; the text after "FATAL:  " is the message.
        const m = /FATAL: {2}(.*)/.exec(stderr);
        resolve({ ok: false, code: '', message: m ? m[1] : stderr.trim() });
      });
  });
}

async function viaPg(port: number, user: string, password: string, database = 'shop'): Promise<Outcome> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database, ssl: false, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT 1');
    await client.end();
    return { ok: true, value: String(Object.values(rows[0])[0]) };
  } catch (e: any) {
    await client.end().catch(() => {});
    return { ok: false, code: e.code, message: e.message };
  }
}

async function viaPostgresJs(port: number, user: string, password: string, database = 'shop'): Promise<Outcome> {
  const sql = postgres({ host: '127.0.0.1', port, user, pass: password, database, ssl: false, prepare: false, max: 1, fetch_types: false, connect_timeout: 5, onnotice: () => {} });
  try {
    const rows = await sql.unsafe('SELECT 1');
    return { ok: true, value: String(Object.values(rows[0])[0]) };
  } catch (e: any) {
    return { ok: false, code: e.code, message: e.message };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const CLIENTS = { psql: viaPsql, pg: viaPg, 'postgres.js': viaPostgresJs } as const;

const USERS: Record<string, ClientCredentials> = {
  pw_user: { passwords: ['pw-secret'] },
  multi_user: { passwords: ['first-pw', 'second-pw'] },
  scram_user: { passwords: [], passwordHash: createScramVerifier('scram-pw') },
  md5_user: { passwords: [], passwordHash: md5Password('md5_user', 'md5-pw') },
  prep_user: { passwords: ['pass\u00a0word'] },
};

/** (credential kind, user, the password that is right for it) */
const KINDS: [string, string, string][] = [
  ['password', 'pw_user', 'pw-secret'],
  ['passwords[1]', 'multi_user', 'second-pw'],
  ['password_hash SCRAM', 'scram_user', 'scram-pw'],
  ['password_hash md5', 'md5_user', 'md5-pw'],
];

const failed = (user: string) => `password authentication failed for user "${user}"`;

const servers = new Map<ClientAuthMethod, { server: FakeServer; port: number }>();
before(async () => {
  for (const method of ['scram', 'md5', 'plain', 'trust'] as const) {
    const server = new FakeServer({
      authenticate: (channel, request) => authenticateClient(channel, request, (u) => USERS[u], method, { timeoutMs: 5000 }),
    });
    servers.set(method, { server, port: await server.listen() });
  }
});
after(async () => {
  for (const { server } of servers.values()) await server.close();
});

for (const method of ['scram', 'md5', 'plain', 'trust'] as const) {
  describe(`auth_type = ${method}`, () => {
    for (const [kind, user, password] of KINDS) {
      // SCRAM cannot use an md5 hash (PostgreSQL: scram-sha-256 in pg_hba refuses md5-stored roles).
      const expectOk = !(method === 'scram' && kind === 'password_hash md5');
      for (const [name, login] of Object.entries(CLIENTS)) {
        it(`${name}, ${kind}: ${expectOk ? 'logs in and runs SELECT 1' : 'is refused with 28P01'}`, async () => {
          const port = servers.get(method)!.port;
          const r = await login(port, user, method === 'trust' ? 'anything' : password);
          if (expectOk) assert.deepEqual(r, { ok: true, value: '1' });
          else assert.deepEqual(r, name === 'psql' ? { ok: false, code: '', message: failed(user) } : { ok: false, code: '28P01', message: failed(user) });
        });
      }
    }

    if (method !== 'trust') {
      for (const [name, login] of Object.entries(CLIENTS)) {
        it(`${name}: wrong password and unknown user get the same 28P01 text`, async () => {
          const port = servers.get(method)!.port;
          const wrong = await login(port, 'pw_user', 'not-it');
          const unknown = await login(port, 'nobody', 'pw-secret');
          assert.equal(wrong.ok, false);
          assert.equal(unknown.ok, false);
          if (wrong.ok || unknown.ok) return;
          assert.equal(wrong.code, unknown.code);
          assert.equal(wrong.code, name === 'psql' ? '' : '28P01');
          assert.equal(wrong.message, failed('pw_user'));
          assert.equal(unknown.message.replace('"nobody"', '"pw_user"'), wrong.message);
        });
      }
    }
  });
}

describe('SASLprep with real clients', () => {
  for (const name of ['psql', 'pg'] as const) {
    it(`${name}: a password stored with a no-break space logs in with a plain space`, async () => {
      const port = servers.get('scram')!.port;
      assert.deepEqual(await CLIENTS[name](port, 'prep_user', 'pass word'), { ok: true, value: '1' });
      assert.deepEqual(await CLIENTS[name](port, 'prep_user', 'pass\u00a0word'), { ok: true, value: '1' });
      assert.equal((await CLIENTS[name](port, 'prep_user', 'password')).ok, false);
    });
  }
});

describe('failures read exactly as PostgreSQL words them', () => {
  let real: PgServer;
  before(async () => {
    real = await startPostgres({
      users: [
        { name: 'pw_user', password: 'pw-secret', auth: 'scram' },
        { name: 'md5_pw_user', password: 'pw-secret', auth: 'md5' },
        { name: 'plain_pw_user', password: 'pw-secret', auth: 'password' },
      ],
      databases: ['shop'],
    });
  });
  after(() => stopAll());

  for (const [method, pgUser] of [['scram', 'pw_user'], ['md5', 'md5_pw_user'], ['plain', 'plain_pw_user']] as const) {
    for (const [name, login] of Object.entries(CLIENTS)) {
      it(`${method}, ${name}: wrong password and unknown user match PostgreSQL's answer`, async () => {
        const ours = servers.get(method)!.port;
        const theirsWrong = await login(real.port, pgUser, 'not-it');
        const oursWrong = await login(ours, 'pw_user', 'not-it');
        assert.equal(theirsWrong.ok, false);
        if (theirsWrong.ok) return;
        assert.deepEqual(oursWrong, { ...theirsWrong, message: theirsWrong.message.replace(`"${pgUser}"`, '"pw_user"') });
        const theirsUnknown = await login(real.port, 'nobody', 'pw-secret');
        assert.deepEqual(await login(ours, 'nobody', 'pw-secret'), theirsUnknown);
      });
    }
  }
});
