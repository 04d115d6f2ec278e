// ServerConnection and sendCancel against real PostgreSQL: every login method, the startup
// parameters, ParameterStatus / BackendKeyData capture, forwarding to a sink, the pool's internal
// statements, cancel, and the ways a connection can fail.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { ServerConnection, type ServerConnectOptions } from '../src/backend/server-connection.js';
import { ServerError } from '../src/backend/server-error.js';
import { sendCancel } from '../src/backend/cancel.js';
import { queryMessage } from '../src/backend/internal-query.js';
import { BackendCode } from '../src/protocol/codes.js';
import { TransactionStatus } from '../src/protocol/backend/ready-for-query.js';
import { SqlState } from '../src/protocol/sqlstate.js';
import { CollectingSink, closedPort, silentServer, simpleQuery } from './support/collecting-sink.js';

let pg: PgServer;
const open: ServerConnection[] = [];

before(async () => {
  pg = await startPostgres({
    users: [
      { name: 'scram_user', password: 'scräm pw', auth: 'scram' },
      { name: 'md5_user', password: 'md5 pw', auth: 'md5' },
      { name: 'plain_user', password: 'plain pw', auth: 'password' },
      { name: 'trust_user', auth: 'trust' },
      // SASLprep maps the no-break space to a space and drops the soft hyphen, on both sides.
      { name: 'prep_user', password: 'pa\u00a0ss\u00adwörd', auth: 'scram' },
    ],
  });
});
after(async () => {
  for (const c of open) c.close('test over');
  await stopAll();
});

function opts(user: string, password: string | null, over: Partial<ServerConnectOptions> = {}): ServerConnectOptions {
  return { user, password, database: 'postgres', connectTimeoutMs: 5000, tls: { mode: 'disabled' }, ...over };
}

async function connect(user: string, password: string | null, over: Partial<ServerConnectOptions> = {}): Promise<ServerConnection> {
  const c = await ServerConnection.connect({ host: pg.host, port: pg.port }, opts(user, password, over));
  open.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<ServerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ServerError, `expected a ServerError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('login', () => {
  for (const [user, password, method] of [
    ['scram_user', 'scräm pw', 'scram-sha-256'],
    ['md5_user', 'md5 pw', 'md5'],
    ['plain_user', 'plain pw', 'password'],
    ['trust_user', null, 'trust'],
  ] as const) {
    it(`${method}: logs in, captures ParameterStatus and BackendKeyData`, async () => {
      const c = await connect(user, password);
      assert.equal(c.authMethod, method);
      assert.equal(c.txStatus, TransactionStatus.Idle);
      assert.match(c.params.get('server_version') ?? '', /^15\./);
      assert.equal(c.params.get('client_encoding'), 'UTF8');
      assert.equal(c.params.get('application_name'), 'pgdog');
      assert.ok(c.params.has('DateStyle') && c.params.has('TimeZone') && c.params.has('integer_datetimes'));
      const r = await c.runInternal('SELECT pg_backend_pid(), current_user', 2000);
      assert.deepEqual(r.rows, [[String(c.backendKey?.processId), user]]);
      assert.ok((c.backendKey?.secretKey.length ?? 0) >= 4);
      c.close('done');
    });
  }

  it('SCRAM with a password SASLprep changes', async () => {
    const c = await connect('prep_user', 'pa\u00a0ss\u00adwörd');
    assert.equal(c.authMethod, 'scram-sha-256');
    c.close('done');
    // The prepared form is the same password to PostgreSQL.
    (await connect('prep_user', 'pa sswörd')).close('done');
    const e = await rejection(connect('prep_user', 'pa ss-wörd'));
    assert.equal(e.sqlstate, SqlState.InvalidPassword);
  });

  it('a wrong password is the server\'s own 28P01, typed', async () => {
    for (const [user, password] of [['scram_user', 'nope'], ['md5_user', 'nope'], ['plain_user', 'nope']]) {
      const e = await rejection(connect(user, password));
      assert.equal(e.sqlstate, SqlState.InvalidPassword);
      assert.equal(e.fromServer, true);
      assert.match(e.message, new RegExp(`password authentication failed for user "${user}"`));
    }
  });

  it('an unknown database is 3D000; a missing password is refused before the server sees one', async () => {
    const db = await rejection(connect('scram_user', 'scräm pw', { database: 'no_such_db' }));
    assert.equal(db.sqlstate, SqlState.InvalidCatalogName);
    const none = await rejection(connect('scram_user', null));
    assert.equal(none.sqlstate, SqlState.InvalidAuthorizationSpecification);
    assert.match(none.message, /none is configured/);
  });

  it('sends statement_timeout, lock_timeout, default_transaction_read_only and application_name as startup parameters', async () => {
    const c = await connect('scram_user', 'scräm pw', {
      startupParams: { statement_timeout: '1234', lock_timeout: '56', default_transaction_read_only: 'on' },
      applicationName: 'pgdog-test',
    });
    const r = await c.runInternal('SHOW statement_timeout; SHOW lock_timeout; SHOW default_transaction_read_only; SHOW application_name', 2000);
    assert.deepEqual(r.rows, [['1234ms'], ['56ms'], ['on'], ['pgdog-test']]);
    assert.deepEqual(r.commandTags, ['SHOW', 'SHOW', 'SHOW', 'SHOW']);
    c.close('done');
  });
});

describe('connect failures', () => {
  it('a closed port is 08001 naming the address and the cause, at once', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const e = await rejection(ServerConnection.connect({ host: '127.0.0.1', port }, opts('u', 'p')));
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(e.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
    assert.match(e.message, new RegExp(`could not connect to server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    assert.equal((e.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  });

  it('a server that never answers hits connect_timeout', async () => {
    const silent = await silentServer();
    try {
      const t0 = Date.now();
      const e = await rejection(ServerConnection.connect({ host: '127.0.0.1', port: silent.port }, opts('u', 'p', { connectTimeoutMs: 300 })));
      const took = Date.now() - t0;
      assert.ok(took >= 280 && took < 1500, `took ${took} ms`);
      assert.equal(e.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
      assert.match(e.message, /timed out after 300 ms/);
    } finally {
      await silent.close();
    }
  });
});

describe('forwarding to a sink', () => {
  it('hands each frame, then the run, and tracks the transaction status', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const begin = await simpleQuery(c, 'BEGIN');
    assert.equal(begin.status, 'T');
    assert.equal(c.txStatus, TransactionStatus.InTransaction);
    const sink = new CollectingSink();
    c.attach(sink);
    const done = sink.next();
    c.write(queryMessage("SELECT g, 'x' || g FROM generate_series(1, 3) g"));
    const r = await done;
    assert.deepEqual(r.rows, [['1', 'x1'], ['2', 'x2'], ['3', 'x3']]);
    assert.deepEqual(sink.codes, [BackendCode.RowDescription, BackendCode.DataRow, BackendCode.DataRow, BackendCode.DataRow, BackendCode.CommandComplete, BackendCode.ReadyForQuery]);
    const bytes = sink.forwarded();
    // The forwarded runs are the frames themselves: T ... Z at the end, nothing re-encoded or lost.
    assert.equal(bytes[0], BackendCode.RowDescription);
    assert.deepEqual([...bytes.subarray(bytes.length - 6)], [BackendCode.ReadyForQuery, 0, 0, 0, 5, TransactionStatus.InTransaction]);
    c.detach();
    const rollback = await simpleQuery(c, 'ROLLBACK');
    assert.equal(rollback.status, 'I');
    c.close('done');
  });

  it('a sink that detaches at ReadyForQuery still receives the run holding it', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const sink = new CollectingSink();
    sink.onReady = () => c.detach();
    c.attach(sink);
    const done = sink.next();
    c.write(queryMessage('SELECT 42'));
    await done;
    assert.equal(c.attached, false);
    const bytes = sink.forwarded();
    assert.equal(bytes[bytes.length - 6], BackendCode.ReadyForQuery);
    c.close('done');
  });

  it('pause() stops delivery until resume()', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const sink = new CollectingSink();
    c.attach(sink);
    c.pause();
    const done = sink.next();
    c.write(queryMessage('SELECT 1'));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(sink.codes.length, 0);
    c.resume();
    await done;
    assert.ok(sink.codes.includes(BackendCode.DataRow));
    c.detach();
    c.close('done');
  });

  it('a server terminated mid-session tells the sink with its 57P01', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const sink = new CollectingSink();
    c.attach(sink);
    await pg.query('SELECT pg_terminate_backend($1)', [c.backendKey?.processId]);
    const err = await sink.whenClosed();
    assert.equal(err.sqlstate, SqlState.AdminShutdown);
    assert.equal(err.fromServer, true);
    assert.equal(c.closed, true);
  });

  it('a detached server that dies reaches the close listener', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const closed = new Promise<ServerError>((resolve) => c.setCloseListener((_conn, err) => resolve(err)));
    await pg.query('SELECT pg_terminate_backend($1)', [c.backendKey?.processId]);
    assert.equal((await closed).sqlstate, SqlState.AdminShutdown);
    // Attaching to a dead connection is answered, not thrown.
    const sink = new CollectingSink();
    c.attach(sink);
    assert.equal((await sink.whenClosed()).sqlstate, SqlState.AdminShutdown);
  });
});

describe('runInternal', () => {
  it('an error is the server\'s, and the connection stays usable', async () => {
    const c = await connect('md5_user', 'md5 pw');
    const e = await rejection(c.runInternal('SELECT 1/0', 2000));
    assert.equal(e.sqlstate, '22012');
    assert.equal(c.closed, false);
    const r = await c.runInternal('SELECT 2', 2000);
    assert.deepEqual(r.rows, [['2']]);
    assert.equal(r.status, TransactionStatus.Idle);
    c.close('done');
  });

  it('past its timeout the connection is closed with 57014', async () => {
    const c = await connect('md5_user', 'md5 pw');
    const t0 = Date.now();
    const e = await rejection(c.runInternal('SELECT pg_sleep(5)', 150));
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(e.sqlstate, SqlState.QueryCanceled);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.closed, true);
  });

  it('is refused while a sink is attached', async () => {
    const c = await connect('md5_user', 'md5 pw');
    c.attach(new CollectingSink());
    await assert.rejects(c.runInternal('SELECT 1', 1000), /attached or busy/);
    c.detach();
    c.close('done');
  });
});

describe('cancel', () => {
  it('sendCancel stops pg_sleep(10): the client sees 57014 and the connection lives on', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const sink = new CollectingSink();
    c.attach(sink);
    const done = sink.next();
    const t0 = Date.now();
    c.write(queryMessage('SELECT pg_sleep(10)'));
    await new Promise((r) => setTimeout(r, 200));
    const key = c.backendKey;
    assert.ok(key);
    await sendCancel(pg.host, pg.port, key.processId, key.secretKey);
    const r = await done;
    assert.ok(Date.now() - t0 < 3000);
    assert.equal(r.errors[0]?.code, SqlState.QueryCanceled);
    assert.equal(r.status, 'I');
    c.detach();
    assert.deepEqual((await c.runInternal('SELECT 1', 1000)).rows, [['1']]);
    c.close('done');
  });

  it('a wrong secret cancels nothing', async () => {
    const c = await connect('scram_user', 'scräm pw');
    const sink = new CollectingSink();
    c.attach(sink);
    const done = sink.next();
    c.write(queryMessage('SELECT pg_sleep(0.6)'));
    await new Promise((r) => setTimeout(r, 100));
    const key = c.backendKey;
    assert.ok(key);
    const wrong = Buffer.from(key.secretKey.map((b) => b ^ 0xff));
    await sendCancel(pg.host, pg.port, key.processId, wrong);
    const r = await done;
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.rows, [['']]);
    c.detach();
    c.close('done');
  });
});
