// client_idle_in_transaction_timeout through pgdog to a real PostgreSQL: a client idle inside an
// open transaction is closed with 25P03 as PostgreSQL does it, its server is rolled back (its row
// lock gone, its write undone) and handed to the next client without a reconnect; a client idle
// outside a transaction, or busy inside one, is left alone.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, sleep, startPgdog, within, type Pgdog, type PgClient } from './e2e-harness.js';

type PgError = Error & { code?: string };

const TIMEOUT_MS = 400;

async function backendPid(c: PgClient): Promise<number> {
  return (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
}

describe('client_idle_in_transaction_timeout', { timeout: 120_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dog = await startPgdog({
      general: { client_idle_in_transaction_timeout: TIMEOUT_MS, checkout_timeout: 5000 },
      databases: [{ name: 'appdb', port: pg.port, pool_size: 1 }],
      users: [{ name: 'app', password: 'secret', database: 'appdb' }],
    });
    const setup = await pgConnect(dog.config('app', 'secret', 'appdb'));
    await setup.query('create table idle_tx (id int primary key, v int)');
    await setup.query('insert into idle_tx values (1, 0)');
    await setup.end();
  });
  after(async () => {
    await dog?.stop();
    await stopAll();
  });

  it('closes a client idle in its transaction with 25P03; its server is rolled back and reused', async () => {
    const idle = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const errors: PgError[] = [];
    idle.on('error', (e: PgError) => errors.push(e));
    const ended = new Promise<void>((resolve) => idle.on('end', () => resolve()));
    await idle.query('begin');
    const pid = await backendPid(idle);
    await idle.query('update idle_tx set v = 1 where id = 1');
    const createdBefore = dog.server.stats().pools[0].stats.created;
    const t0 = Date.now();
    await within(ended, 15000, 'the idle-in-transaction client being closed');
    const waited = Date.now() - t0;
    // Only the lower bound is asserted: a loaded machine may close it late, never early.
    assert.ok(waited >= TIMEOUT_MS - 50, `closed after ${waited} ms`);
    assert.equal(errors[0]?.code, '25P03');
    assert.match(errors[0]?.message ?? '', /terminating connection due to idle-in-transaction timeout/);

    // Pool of one: the next client gets the same server, outside any transaction, the row unlocked
    // and the update undone.
    const next = await pgConnect(dog.config('app', 'secret', 'appdb'));
    assert.equal(await backendPid(next), pid);
    const r = await next.query("select v, now() = statement_timestamp() as fresh_tx, current_setting('transaction_isolation') as iso from idle_tx where id = 1");
    assert.equal(r.rows[0].v, 0);
    assert.equal(r.rows[0].fresh_tx, true);
    await next.query("set lock_timeout = '1s'");
    await next.query('update idle_tx set v = 2 where id = 1');
    assert.equal(dog.server.stats().pools[0].stats.created, createdBefore, 'no new server connection');
    await next.end();
  });

  it('leaves a client idle outside a transaction, and one that keeps working inside its transaction', async () => {
    const outside = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const errors: PgError[] = [];
    outside.on('error', (e: PgError) => errors.push(e));
    assert.equal((await outside.query('select 1 as one')).rows[0].one, 1);
    await sleep(TIMEOUT_MS * 2);
    assert.equal((await outside.query('select 2 as two')).rows[0].two, 2);

    // Each statement restarts the clock, as in PostgreSQL: total time in the transaction exceeds
    // the timeout several times over, no single pause does.
    await outside.query('begin');
    for (let i = 0; i < 6; i++) {
      await outside.query('select pg_sleep(0.05)');
      await sleep(TIMEOUT_MS / 2);
    }
    // A long statement is not idleness either.
    await outside.query(`select pg_sleep(${(TIMEOUT_MS * 2) / 1000})`);
    await outside.query('commit');
    await sleep(TIMEOUT_MS * 2);
    assert.equal((await outside.query('select 3 as three')).rows[0].three, 3);
    assert.deepEqual(errors, []);
    await outside.end();
  });

  it('counts an aborted transaction (status E) as idle in transaction too', async () => {
    const failed = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const errors: PgError[] = [];
    failed.on('error', (e: PgError) => errors.push(e));
    const ended = new Promise<void>((resolve) => failed.on('end', () => resolve()));
    await failed.query('begin');
    await assert.rejects(failed.query('select 1 / 0'), (e: PgError) => e.code === '22012');
    await within(ended, 15000, 'the client in a failed transaction being closed');
    assert.equal(errors[0]?.code, '25P03');
    const next = await pgConnect(dog.config('app', 'secret', 'appdb'));
    assert.equal((await next.query('select 1 as one')).rows[0].one, 1);
    await next.end();
  });
});
