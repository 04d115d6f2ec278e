// TLS towards clients with a certificate generated here (openssl CLI): psql, node-postgres and
// postgres.js over TLS, tls_client_required refusing plain connections, 'N' answers to SSLRequest
// without a certificate and to GSSENCRequest.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { probeAuth, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, psql, startPgdog, type Pgdog } from './e2e-harness.js';

describe('pgdog end to end: TLS', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let certDir: string;
  let tlsDog: Pgdog;
  let requiredDog: Pgdog;
  let plainDog: Pgdog;

  before(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'pgdog-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    const common = { databases: [{ name: 'appdb', port: pg.port }], users: [{ name: 'app', password: 'secret', database: 'appdb' }] };
    const tls = { tls_certificate: join(certDir, 'cert.pem'), tls_private_key: join(certDir, 'key.pem') };
    tlsDog = await startPgdog({ ...common, general: tls });
    requiredDog = await startPgdog({ ...common, general: { ...tls, tls_client_required: true } });
    plainDog = await startPgdog(common);
  });
  after(async () => {
    await tlsDog?.stop();
    await requiredDog?.stop();
    await plainDog?.stop();
    await stopAll();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('psql with sslmode=require gets a TLS connection and runs queries', async () => {
    const env = { ...tlsDog.env('app', 'secret', 'appdb'), PGSSLMODE: 'require' };
    const r = await psql(pg, env, '\\conninfo');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SSL connection \(protocol: TLSv1\.[23]/);
    const q = await psql(pg, env, 'select 40 + 2');
    assert.equal(q.stdout.trim(), '42');
  });

  it('node-postgres and postgres.js over TLS', async () => {
    const client = await pgConnect({ ...tlsDog.config('app', 'secret', 'appdb'), ssl: { rejectUnauthorized: false } });
    assert.equal((client.connection.stream as unknown as { encrypted?: boolean }).encrypted, true);
    assert.equal((await client.query('select $1::text as t', ['over tls'])).rows[0].t, 'over tls');
    await client.end();
    const sql = postgres({ ...tlsDog.config('app', 'secret', 'appdb'), ssl: { rejectUnauthorized: false }, prepare: false, max: 1 });
    const big = 'z'.repeat(300_000);
    const [row] = await sql`select length(${big}) as n`;
    assert.equal(row.n, 300_000);
    await sql.end();
  });

  it('tls_client_required refuses a plain connection (28000), accepts TLS', async () => {
    const plain = await psql(pg, requiredDog.env('app', 'secret', 'appdb'), 'select 1');
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /FATAL: {2}connection for user "app" requires TLS/);
    const probe = await probeAuth(requiredDog.config('app', 'secret', 'appdb'));
    assert.equal(probe.ok, false);
    assert.equal(probe.error?.code, '28000');
    const secure = await psql(pg, { ...requiredDog.env('app', 'secret', 'appdb'), PGSSLMODE: 'require' }, 'select 1');
    assert.equal(secure.stdout.trim(), '1', secure.stderr);
  });

  it('without a certificate, SSLRequest is answered N and sslmode=prefer falls back to plain', async () => {
    const r = await psql(pg, { ...plainDog.env('app', 'secret', 'appdb'), PGSSLMODE: 'prefer' }, 'select 1');
    assert.equal(r.stdout.trim(), '1', r.stderr);
    const req = await psql(pg, { ...plainDog.env('app', 'secret', 'appdb'), PGSSLMODE: 'require' }, 'select 1');
    assert.notEqual(req.code, 0);
    assert.match(req.stderr, /server does not support SSL/);
  });

  it('GSSENCRequest is answered N and the session continues', async () => {
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(tlsDog.port, '127.0.0.1', () => s.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30])));
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
      });
      s.on('error', reject);
    });
    assert.deepEqual([...answer], [0x4e]);
    const r = await psql(pg, { ...tlsDog.env('app', 'secret', 'appdb'), PGGSSENCMODE: 'prefer' }, 'select 1');
    assert.equal(r.stdout.trim(), '1', r.stderr);
  });
});
