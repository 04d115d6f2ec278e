// TLS to PostgreSQL with certificates made in the test: every tls_verify mode against a server
// with ssl = on, and what each does against a server without TLS.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { resolveInstall, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { ServerConnection } from '../src/backend/server-connection.js';
import { ServerError } from '../src/backend/server-error.js';
import { sendCancel } from '../src/backend/cancel.js';
import type { ServerTlsOptions } from '../src/backend/connect-socket.js';
import { queryMessage } from '../src/backend/internal-query.js';
import { StartupRequestCode } from '../src/protocol/codes.js';
import { SqlState } from '../src/protocol/sqlstate.js';
import { CollectingSink, silentServer } from './support/collecting-sink.js';

let dir: string;
let tlsServer: PgServer;
let plainServer: PgServer;
/** Presents a certificate for db.example.com only. */
let wrongNameServer: PgServer;
let serverCert: Buffer;
let otherCert: Buffer;
let wrongNameCert: Buffer;

/** A self-signed certificate (its own CA) for `san`. */
function selfSigned(name: string, san: string): void {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
    '-subj', '/CN=pgdog-test', '-addext', `subjectAltName=${san}`,
  ], { stdio: 'ignore' });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgdog-tls-'));
  selfSigned('server', 'DNS:localhost,IP:127.0.0.1');
  selfSigned('other', 'DNS:localhost,IP:127.0.0.1');
  selfSigned('wrongname', 'DNS:db.example.com');
  serverCert = readFileSync(join(dir, 'server.crt'));
  otherCert = readFileSync(join(dir, 'other.crt'));
  wrongNameCert = readFileSync(join(dir, 'wrongname.crt'));
  // PostgreSQL runs as another OS user and wants its key private to itself.
  const runAs = resolveInstall().runAs;
  chmodSync(dir, 0o755);
  for (const f of ['server.crt', 'server.key', 'wrongname.crt', 'wrongname.key']) {
    if (runAs) chownSync(join(dir, f), runAs.uid, runAs.gid);
    chmodSync(join(dir, f), 0o600);
  }
  const users = [{ name: 'app', password: 'tls pw', auth: 'scram' as const }];
  const ssl = (name: string) => ({ ssl: 'on', ssl_cert_file: join(dir, `${name}.crt`), ssl_key_file: join(dir, `${name}.key`) });
  [tlsServer, wrongNameServer, plainServer] = await Promise.all([
    startPostgres({ users, settings: ssl('server') }),
    startPostgres({ users, settings: ssl('wrongname') }),
    startPostgres({ users }),
  ]);
});
after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

function connect(server: PgServer, tls: ServerTlsOptions, host = '127.0.0.1'): Promise<ServerConnection> {
  return ServerConnection.connect({ host, port: server.port }, { user: 'app', password: 'tls pw', database: 'postgres', connectTimeoutMs: 5000, tls });
}

/** What the server itself says about the connection's encryption. */
async function serverSeesSsl(c: ServerConnection): Promise<string | null> {
  const r = await c.runInternal('SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()', 2000);
  return r.rows[0][0];
}

async function rejection(p: Promise<unknown>): Promise<ServerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ServerError, String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

describe('TLS to a server with ssl = on', () => {
  for (const mode of ['prefer', 'require'] as const) {
    it(`${mode}: encrypted, certificate not checked`, async () => {
      const c = await connect(tlsServer, { mode });
      assert.ok(c.socket instanceof TLSSocket);
      assert.equal(await serverSeesSsl(c), 'true');
      c.close('done');
    });
  }

  it('verify_ca: the right CA passes, even for a certificate naming another host', async () => {
    for (const [server, ca] of [[tlsServer, serverCert], [wrongNameServer, wrongNameCert]] as const) {
      const c = await connect(server, { mode: 'verify_ca', ca });
      assert.equal(await serverSeesSsl(c), 'true');
      c.close('done');
    }
  });

  it('verify_full: the right CA and a matching IP / DNS name pass', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const c = await connect(tlsServer, { mode: 'verify_full', ca: serverCert }, host);
      assert.equal(await serverSeesSsl(c), 'true');
      c.close('done');
    }
  });

  it('verify_full and verify_ca fail on a wrong CA', async () => {
    for (const mode of ['verify_full', 'verify_ca'] as const) {
      const e = await rejection(connect(tlsServer, { mode, ca: otherCert }));
      assert.equal(e.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
      assert.match(e.message, /TLS handshake with 127\.0\.0\.1:\d+ failed: .*(self.signed|verify)/i);
    }
  });

  it('verify_full fails when the certificate names another host', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const e = await rejection(connect(wrongNameServer, { mode: 'verify_full', ca: wrongNameCert }, host));
      assert.equal(e.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
      assert.match(e.message, /TLS handshake .* failed: Hostname\/IP does not match certificate's altnames/);
    }
  });

  it('disabled: plaintext, no SSLRequest on the wire', async () => {
    const c = await connect(tlsServer, { mode: 'disabled' });
    assert.ok(!(c.socket instanceof TLSSocket));
    assert.equal(await serverSeesSsl(c), 'false');
    c.close('done');
    const silent = await silentServer();
    try {
      await rejection(ServerConnection.connect({ host: '127.0.0.1', port: silent.port }, { user: 'u', password: 'p', database: 'd', connectTimeoutMs: 200, tls: { mode: 'disabled' } }));
      const first = Buffer.concat(silent.received);
      assert.equal(first.readInt32BE(4), StartupRequestCode.ProtocolVersion3);
    } finally {
      await silent.close();
    }
    const probe = await silentServer();
    try {
      await rejection(ServerConnection.connect({ host: '127.0.0.1', port: probe.port }, { user: 'u', password: 'p', database: 'd', connectTimeoutMs: 200, tls: { mode: 'prefer' } }));
      assert.equal(Buffer.concat(probe.received).readInt32BE(4), StartupRequestCode.SSLRequest);
    } finally {
      await probe.close();
    }
  });

  it('a cancel travels over TLS too', async () => {
    const tls: ServerTlsOptions = { mode: 'require' };
    const c = await connect(tlsServer, tls);
    const sink = new CollectingSink();
    c.attach(sink);
    const done = sink.next();
    c.write(queryMessage('SELECT pg_sleep(10)'));
    await new Promise((r) => setTimeout(r, 200));
    const key = c.backendKey;
    assert.ok(key);
    await sendCancel('127.0.0.1', tlsServer.port, key.processId, key.secretKey, tls);
    assert.equal((await done).errors[0]?.code, SqlState.QueryCanceled);
    c.detach();
    c.close('done');
  });
});

describe('TLS modes against a server without TLS', () => {
  it('prefer falls back to plaintext', async () => {
    const c = await connect(plainServer, { mode: 'prefer' });
    assert.ok(!(c.socket instanceof TLSSocket));
    assert.equal(await serverSeesSsl(c), 'false');
    c.close('done');
  });

  it('require, verify_ca and verify_full refuse to go on', async () => {
    for (const mode of ['require', 'verify_ca', 'verify_full'] as const) {
      const e = await rejection(connect(plainServer, { mode, ca: serverCert }));
      assert.equal(e.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
      assert.match(e.message, new RegExp(`does not support TLS, but tls_verify = ${mode} requires it`));
    }
  });
});
