// Real client libraries against a server made of nothing but our protocol layer: libpq (psql),
// node-postgres and postgres.js must accept our encoders, and our framer and decoders must read
// what they send (SSLRequest, StartupMessage, password, simple and extended queries, CancelRequest).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import postgres from 'postgres';
import { serialize } from 'pg-protocol';
import { FakeServer } from '../src/protocol/testing/fake-server.js';
import { parseWithPg } from '../src/protocol/testing/pg-oracle.js';

const require = createRequire(import.meta.url);
// node-postgres ships no types and @types/pg is not a dependency; only these calls are used.
const pg = require('pg') as {
  Client: new (config: object) => {
    connect(): Promise<void>;
    query(q: string | object, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
    end(): Promise<void>;
  };
};

function psql(port: number, sql: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const conn = `host=127.0.0.1 port=${port} user=alice dbname=shop sslmode=prefer gssencmode=disable application_name=psqltest`;
  return new Promise((resolve) => {
    execFile('psql', [conn, '-X', '-A', '-t', '-v', 'VERBOSITY=verbose', '-c', sql],
      { env: { ...process.env, PGPASSWORD: 'secret', PGCONNECT_TIMEOUT: '5', ...env }, timeout: 10_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('psql (libpq) against our encoders', () => {
  const server = new FakeServer({ password: 'secret' });
  let port = 0;
  before(async () => { port = await server.listen(); });
  after(() => server.close());

  it('logs in through SSLRequest refusal and a cleartext password, runs a simple query', async () => {
    server.log.length = 0;
    const r = await psql(port, 'select 1');
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '1\n');
    assert.deepEqual(server.log, [
      'SSLRequest',
      'StartupMessage user=alice database=shop application_name=psqltest',
      'PasswordMessage secret',
      'Query select 1',
      'Terminate',
    ]);
  });

  it('shows our ErrorResponse fields (SQLSTATE, message, hint)', async () => {
    const r = await psql(port, 'select 1/0 -- fail');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERROR: {2}22012: division by zero/);
    assert.match(r.stderr, /HINT: {2}do not divide by zero/);
  });

  it('prints a NoticeResponse and an empty query result', async () => {
    const r = await psql(port, 'DO notice');
    assert.equal(r.code, 0);
    assert.match(r.stderr, /WARNING: {2}01000: careful/);
    assert.equal((await psql(port, ' ')).code, 0);
  });

  it('reports a FATAL 28P01 for a wrong password', async () => {
    const r = await psql(port, 'select 1', { PGPASSWORD: 'wrong' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /FATAL: {2}password authentication failed for user "alice"/);
    // libpq does not print the SQLSTATE of a login failure; node-postgres shows it.
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'alice', database: 'shop', password: 'wrong', ssl: false });
    await assert.rejects(client.connect(), (e: any) => e.code === '28P01' && e.severity === 'FATAL');
  });
});

describe('node-postgres and postgres.js against our encoders', () => {
  const server = new FakeServer();
  let port = 0;
  before(async () => { port = await server.listen(); });
  after(() => server.close());

  it('node-postgres: extended protocol with text and binary parameters, named statements, errors', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'bob', database: 'db', ssl: false });
    await client.connect();
    server.log.length = 0;
    const r = await client.query('select $1::text, $2::int, $3::bytea', ['a', 5, Buffer.from([0, 1, 255])]);
    assert.deepEqual(r.rows, [{ p1: 'a', p2: '5', p3: '\\x0001ff' }]);
    assert.deepEqual(server.log, [
      'Parse  select $1::text, $2::int, $3::bytea []',
      'Bind   (a, 5, \\x0001ff)',
      'Describe P ',
      'Execute ',
      'Sync',
    ]);
    const named = { name: 'by_id', text: 'select $1::int8', values: [7] };
    assert.deepEqual((await client.query(named)).rows, [{ p1: '7' }]);
    assert.deepEqual((await client.query({ ...named, values: [8] })).rows, [{ p1: '8' }]);
    assert.equal(server.log.filter((l) => l.startsWith('Parse by_id')).length, 1, 'prepared once, bound twice');
    await assert.rejects(client.query('select $1 -- fail', [1]), (e: any) => e.code === '22012' && e.hint === 'do not divide by zero');
    assert.deepEqual((await client.query('select 1')).rows, [{ '?column?': '1' }], 'usable after an error');
    await client.end();
  });

  it('postgres.js: describe-first prepared statements and a CancelRequest with our BackendKeyData', async () => {
    const sql = postgres({ host: '127.0.0.1', port, user: 'carol', database: 'db', fetch_types: false, ssl: false, max: 1, onnotice: () => {} });
    try {
      const rows = await sql`select ${'x'} as v, ${42} as n`;
      assert.deepEqual([...rows], [{ p1: 'x', p2: '42' }]);
      assert.ok(server.log.some((l) => l.startsWith('Describe S')), 'postgres.js described the statement');
      const long = sql`select pg_sleep(10)`;
      const pending = long.then(() => assert.fail('should be canceled'), (e: any) => e);
      await new Promise((r) => setTimeout(r, 100));
      await long.cancel();
      const error = await pending;
      assert.equal(error.code, '57014');
      const session = server.sessions[server.sessions.length - 2];
      assert.ok(server.log.includes(`CancelRequest ${session.processId}`), 'cancel quoted our pid');
      assert.deepEqual([...(await sql`select 1 as one`)], [{ '?column?': '1' }], 'usable after the cancel');
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

describe('framing errors reach a raw client as FATAL 08P01', () => {
  const server = new FakeServer({ maxMessageLength: 1024 });
  let port = 0;
  before(async () => { port = await server.listen(); });
  after(() => server.close());

  async function exchange(chunks: Buffer[]): Promise<Buffer> {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d) => received.push(d));
    await new Promise((r) => socket.once('connect', r));
    for (const c of chunks) socket.write(c);
    await new Promise((r) => socket.once('close', r));
    return Buffer.concat(received);
  }

  it('an oversized Query is refused from its header, before the body arrives', async () => {
    const big = serialize.query('x'.repeat(2000));
    const bytes = await exchange([serialize.startup({ user: 'dave' }), big.subarray(0, 5)]);
    const msgs = parseWithPg(bytes) as any[];
    const error = msgs[msgs.length - 1];
    assert.equal(error.name, 'error');
    assert.equal(error.severity, 'FATAL');
    assert.equal(error.code, '08P01');
    assert.equal(error.message, 'invalid message length');
  });

  it('an unknown message type and a bad startup length are refused too', async () => {
    const unknown = await exchange([serialize.startup({ user: 'dave' }), Buffer.from([0x21, 0, 0, 0, 4])]);
    assert.equal((parseWithPg(unknown).at(-1) as any).message, 'invalid frontend message type 33');
    const badStartup = await exchange([Buffer.from([0, 0, 0, 4, 0, 3, 0, 0])]);
    assert.equal((parseWithPg(badStartup).at(-1) as any).message, 'invalid length of startup packet');
  });

  it('bytes after an SSLRequest are refused (no plaintext injection)', async () => {
    const bytes = await exchange([Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'eve' })])]);
    assert.equal((parseWithPg(bytes).at(-1) as any).message, 'received unencrypted data after SSL request');
  });
});
