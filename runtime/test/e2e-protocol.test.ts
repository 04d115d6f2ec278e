// Real clients through pgdog to a real PostgreSQL: psql, node-postgres and postgres.js, the simple
// and extended protocols, COPY both ways, notices, LISTEN/NOTIFY, ParameterStatus at login, and the
// three pooling modes.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import postgres from 'postgres';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pg as pgLib, pgConnect, psql, runBin, sleep, startPgdog, type Pgdog } from './e2e-harness.js';

describe('pgdog end to end: protocol and pooling modes', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    await pg.query('CREATE TABLE items (id int PRIMARY KEY, name text)', [], { database: 'appdb' });
    await pg.query('ALTER TABLE items OWNER TO app', [], { database: 'appdb' });
    dog = await startPgdog({
      general: { default_pool_size: 5 },
      databases: [
        { name: 'appdb', port: pg.port },
        { name: 'sessiondb', port: pg.port, database_name: 'appdb', pooler_mode: 'session' },
        { name: 'stmtdb', port: pg.port, database_name: 'appdb', pooler_mode: 'statement' },
        { name: 'onedb', port: pg.port, database_name: 'appdb', pool_size: 1 },
      ],
      users: [{ name: 'app', password: 'secret', databases: ['appdb', 'sessiondb', 'stmtdb', 'onedb'] }],
    });
  });
  after(async () => {
    await dog?.stop();
    await stopAll();
  });

  it('psql: simple queries, a multi-statement query, and a transaction', async () => {
    const r = await psql(pg, dog.env('app', 'secret', 'appdb'), 'select 1; select 2 as two; begin; select 3; commit');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trim().split('\n'), ['1', '2', 'BEGIN', '3', 'COMMIT']);
  });

  it('reports the server parameters at login (SHOW and ParameterStatus)', async () => {
    const direct = await pg.query<{ server_version: string }>('SHOW server_version');
    const r = await psql(pg, dog.env('app', 'secret', 'appdb'), 'show server_version');
    assert.equal(r.stdout.trim(), direct[0].server_version);
    const client = new pgLib.Client({ ...dog.config('app', 'secret', 'appdb'), application_name: 'e2e-app' });
    const seen = new Map<string, string>();
    client.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => seen.set(m.parameterName, m.parameterValue));
    await client.connect();
    assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
    await client.end();
    assert.equal(seen.get('server_version'), direct[0].server_version);
    assert.equal(seen.get('server_encoding'), 'UTF8');
    assert.equal(seen.get('client_encoding'), 'UTF8');
    assert.equal(seen.get('integer_datetimes'), 'on');
    assert.equal(seen.get('application_name'), 'e2e-app');
    assert.ok(seen.has('DateStyle') && seen.has('TimeZone') && seen.has('standard_conforming_strings'));
  });

  it('node-postgres: extended protocol with parameters, errors, empty query, and recovery', async () => {
    const client = await pgConnect(dog.config('app', 'secret', 'appdb'));
    assert.equal((await client.query('select $1::int + 1 as n', [41])).rows[0].n, 42);
    await assert.rejects(client.query('select $1::int / 0', [1]), (e: Error & { code?: string }) => e.code === '22012');
    await assert.rejects(client.query('select * from no_such_table'), (e: Error & { code?: string }) => e.code === '42P01');
    const empty = await client.query('');
    assert.equal(empty.rows.length, 0);
    await client.query('begin');
    await assert.rejects(client.query('select 1/0'), (e: Error & { code?: string }) => e.code === '22012');
    await assert.rejects(client.query('select 1'), (e: Error & { code?: string }) => e.code === '25P02');
    await client.query('rollback');
    assert.equal((await client.query({ text: 'select $1::text as t', values: ['still fine'] })).rows[0].t, 'still fine');
    await client.end();
  });

  it('postgres.js (prepare: false): queries, transactions, COPY in and out', async () => {
    const sql = postgres({ ...dog.config('app', 'secret', 'appdb'), prepare: false, max: 3, onnotice: () => {} });
    try {
      const [row] = await sql`select ${'x'}::text || 'y' as v`;
      assert.equal(row.v, 'xy');
      await sql.begin(async (tx) => {
        await tx`delete from items`;
        await tx`insert into items values (${1}, ${'one'})`;
      });
      const writable = await sql`copy items (id, name) from stdin`.writable();
      const lines = Array.from({ length: 500 }, (_, i) => `${i + 2}\tname ${i + 2}\n`);
      await pipeline(Readable.from(lines), writable);
      const [{ n }] = await sql`select count(*)::int as n from items`;
      assert.equal(n, 501);
      const chunks: Buffer[] = [];
      const readable = await sql`copy (select id, name from items order by id) to stdout`.readable();
      await pipeline(readable, new Writable({ write(chunk, _e, cb) { chunks.push(chunk); cb(); } }));
      const out = Buffer.concat(chunks).toString().trim().split('\n');
      assert.equal(out.length, 501);
      assert.equal(out[0], '1\tone');
      assert.equal(out[500], '501\tname 501');
      assert.equal((sql.parameters as Record<string, string>).server_encoding, 'UTF8');
    } finally {
      await sql.end();
    }
  });

  it('a finished COPY hands its server back (postgres.js sends CopyFail after CopyDone)', async () => {
    const sql = postgres({ ...dog.config('app', 'secret', 'onedb'), prepare: false, max: 1 });
    const other = await pgConnect(dog.config('app', 'secret', 'onedb'));
    try {
      await pipeline(Readable.from(['9001\tcopied\n']), await sql`copy items (id, name) from stdin`.writable());
      await sleep(50);
      // The pool has one server: this waits for checkout_timeout if the COPY kept it.
      const r = await other.query('select name from items where id = 9001');
      assert.equal(r.rows[0].name, 'copied');
    } finally {
      await sql.end();
      await other.end();
    }
  });

  it('psql: COPY FROM STDIN and TO STDOUT', async () => {
    // Session mode: the temp table must stay on one server across psql's separate queries.
    const r = await runBin(pg.pgbin('psql')!, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', 'create temp table t (a int, b text)', '-c', '\\copy t from stdin', '-c', 'select count(*), sum(a) from t', '-c', 'copy t to stdout'], dog.env('app', 'secret', 'sessiondb'), 30_000, '1\ta\n2\tb\n3\tc\n');
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.trim().split('\n'), ['CREATE TABLE', 'COPY 3', '3|6', '1\ta', '2\tb', '3\tc']);
  });

  it('passes NoticeResponse through', async () => {
    const client = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const notices: string[] = [];
    client.on('notice', (n: { message: string }) => notices.push(n.message));
    await client.query("do $$ begin raise notice 'hello from the server'; end $$");
    await client.end();
    assert.deepEqual(notices, ['hello from the server']);
  });

  it('session mode: LISTEN/NOTIFY, session state kept, and reset before reuse', async () => {
    const listener = await pgConnect(dog.config('app', 'secret', 'sessiondb'));
    const got: string[] = [];
    listener.on('notification', (n: { channel: string; payload: string }) => got.push(`${n.channel}:${n.payload}`));
    await listener.query('listen e2e_channel');
    await listener.query("set application_name = 'kept'");
    const notifier = await pgConnect(dog.config('app', 'secret', 'appdb'));
    await notifier.query("notify e2e_channel, 'ping'");
    await notifier.end();
    for (let i = 0; i < 50 && got.length === 0; i++) await sleep(20);
    assert.deepEqual(got, ['e2e_channel:ping']);
    assert.equal((await listener.query('show application_name')).rows[0].application_name, 'kept');
    const pid = (await listener.query('select pg_backend_pid() as pid')).rows[0].pid;
    await listener.end();
    // The next session mode client may get the same server, but never its state.
    await sleep(100);
    const next = await pgConnect({ ...dog.config('app', 'secret', 'sessiondb'), application_name: 'next' });
    const row = (await next.query("select pg_backend_pid() as pid, current_setting('application_name') as app, (select count(*) from pg_listening_channels())::int as listening")).rows[0];
    await next.end();
    assert.equal(row.listening, 0);
    if (row.pid === pid) assert.notEqual(row.app, 'kept');
  });

  it('transaction mode: clients share a one-connection pool, a transaction holds it until COMMIT', async () => {
    const a = await pgConnect(dog.config('app', 'secret', 'onedb'));
    const b = await pgConnect(dog.config('app', 'secret', 'onedb'));
    const pidA = (await a.query('select pg_backend_pid() as pid')).rows[0].pid;
    const pidB = (await b.query('select pg_backend_pid() as pid')).rows[0].pid;
    assert.equal(pidA, pidB);
    await a.query('begin');
    await a.query('select 1');
    let bDone = false;
    const bQuery = b.query('select 2 as two').then((r) => {
      bDone = true;
      return r;
    });
    await sleep(200);
    assert.equal(bDone, false, 'b waits while a holds the only server in a transaction');
    await a.query('commit');
    assert.equal((await bQuery).rows[0].two, 2);
    await a.end();
    await b.end();
  });

  it('statement mode: single statements run, transaction blocks are refused', async () => {
    const client = await pgConnect(dog.config('app', 'secret', 'stmtdb'));
    assert.equal((await client.query('select 1 as one')).rows[0].one, 1);
    await assert.rejects(client.query('begin'), (e: Error & { code?: string }) => e.code === '0A000');
    await assert.rejects(client.query('  /* c */ START TRANSACTION'), (e: Error & { code?: string }) => e.code === '0A000');
    await assert.rejects(client.query({ text: 'begin', queryMode: 'extended' } as { text: string }), (e: Error & { code?: string }) => e.code === '0A000');
    assert.equal((await client.query('select $1::int as n', [7])).rows[0].n, 7);
    await client.end();
  });
});
