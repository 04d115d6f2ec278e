// Things going wrong, through pgdog to a real PostgreSQL: cancel requests (reaching only the right
// query), checkout timeout, query_timeout, client_idle_timeout, clients vanishing mid-transaction
// or mid-query, and server processes dying.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, sendCancelRequest, sleep, startPgdog, type Pgdog, type PgClient } from './e2e-harness.js';

type PgError = Error & { code?: string };

async function backendPid(c: PgClient): Promise<number> {
  return (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('pgdog end to end: failures', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dog = await startPgdog({
      general: { default_pool_size: 4, checkout_timeout: 400 },
      databases: [
        { name: 'appdb', port: pg.port },
        { name: 'onedb', port: pg.port, database_name: 'appdb', pool_size: 1 },
      ],
      users: [{ name: 'app', password: 'secret', databases: ['appdb', 'onedb'] }],
    });
  });
  after(async () => {
    await dog?.stop();
    await stopAll();
  });

  it('a CancelRequest with the client key cancels its query (57014) and nobody else', async () => {
    const victim = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const bystander = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const started = Date.now();
    const sleeping = victim.query('select pg_sleep(20)').then(() => null, (e: PgError) => e);
    const other = bystander.query('select pg_sleep(1) as s').then(() => 'done', (e: PgError) => e.code);
    await sleep(300);
    // A wrong secret is ignored without a word.
    await sendCancelRequest(dog.port, victim.processID, (victim.secretKey + 1) | 0);
    await sleep(200);
    await sendCancelRequest(dog.port, victim.processID, victim.secretKey);
    const err = await sleeping;
    assert.equal(err?.code, '57014');
    assert.ok(Date.now() - started < 5000);
    assert.equal(await other, 'done', 'the other client is untouched');
    assert.equal((await victim.query('select 1 as one')).rows[0].one, 1);
    await victim.end();
    await bystander.end();
  });

  it('a cancel for an idle client reaches no server', async () => {
    const idle = await pgConnect(dog.config('app', 'secret', 'onedb'));
    const busy = await pgConnect(dog.config('app', 'secret', 'onedb'));
    await idle.query('select 1');
    const running = busy.query('select pg_sleep(0.6) as s').then(() => 'done', (e: PgError) => e.code);
    await sleep(200);
    // Same pool, same (only) server: a naive proxy would cancel busy's query.
    await sendCancelRequest(dog.port, idle.processID, idle.secretKey);
    assert.equal(await running, 'done');
    await idle.end();
    await busy.end();
  });

  it('checkout timeout: 53300, the client stays connected and works afterwards', async () => {
    const holder = await pgConnect(dog.config('app', 'secret', 'onedb'));
    const waiter = await pgConnect(dog.config('app', 'secret', 'onedb'));
    await holder.query('begin');
    await holder.query('select 1');
    const t0 = Date.now();
    await assert.rejects(waiter.query('select 2'), (e: PgError) => e.code === '53300');
    assert.ok(Date.now() - t0 >= 350, 'waited for checkout_timeout');
    await assert.rejects(waiter.query('select $1::int', [3]), (e: PgError) => e.code === '53300');
    await holder.query('commit');
    assert.equal((await waiter.query('select $1::int as n', [4])).rows[0].n, 4);
    await holder.end();
    await waiter.end();
  });

  it('a client leaving mid-transaction: its server is rolled back before reuse', async () => {
    const leaver = await pgConnect(dog.config('app', 'secret', 'onedb'));
    await leaver.query('begin');
    await leaver.query('create table left_behind (x int)');
    leaver.connection.stream.destroy();
    const next = await pgConnect(dog.config('app', 'secret', 'onedb'));
    const r = await next.query("select to_regclass('left_behind') as t, now() = statement_timestamp() as fresh_tx");
    assert.equal(r.rows[0].t, null);
    assert.equal(r.rows[0].fresh_tx, true);
    await next.end();
  });

  it('a client leaving mid-query: the query is cancelled, no server is left running it', async () => {
    const leaver = await pgConnect(dog.config('app', 'secret', 'appdb'));
    leaver.query('select pg_sleep(30) /* abandoned */').catch(() => {});
    await sleep(300);
    leaver.connection.stream.destroy();
    await waitFor('the abandoned query to stop', async () => {
      const rows = await pg.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where query like '%abandoned%' and state = 'active' and pid <> pg_backend_pid()");
      return rows[0].n === 0;
    });
    const c = await pgConnect(dog.config('app', 'secret', 'appdb'));
    assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
    await c.end();
  });

  it('a server process terminated mid-query: the server error reaches the client, its next query works', async () => {
    const client = await pgConnect(dog.config('app', 'secret', 'onedb'));
    const pid = await backendPid(client);
    const running = client.query('select pg_sleep(20)').then(() => null, (e: PgError) => e);
    await sleep(300);
    await pg.query('select pg_terminate_backend($1)', [pid]);
    const err = await running;
    assert.equal(err?.code, '57P01');
    const newPid = await backendPid(client);
    assert.notEqual(newPid, pid);
    await client.end();
  });

  it('the whole server crashing: the client gets an error, and works again once it is back', async () => {
    const client = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const other = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const running = client.query('select pg_sleep(20)').then(() => null, (e: PgError) => e);
    await sleep(300);
    await pg.kill();
    const err = await running;
    assert.ok(err !== null && (err.code === '57P01' || err.code === '08006' || err.code === '57P02'), `got ${err?.code}`);
    await pg.start();
    await waitFor('queries to work again', async () => {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    }, 10_000);
    // The other client never saw the crash mid-query; its next query works as well.
    assert.equal((await other.query('select 2 as two')).rows[0].two, 2);
    await client.end();
    await other.end();
  });
});

describe('pgdog end to end: query_timeout and client_idle_timeout', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dog = await startPgdog({
      general: { query_timeout: 300, client_idle_timeout: 600 },
      databases: [{ name: 'appdb', port: pg.port }],
      users: [{ name: 'app', password: 'secret', database: 'appdb' }],
    });
  });
  after(async () => {
    await dog?.stop();
    await stopAll();
  });

  it('query_timeout cancels a long query (57014); short ones are untouched', async () => {
    const client = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const t0 = Date.now();
    await assert.rejects(client.query('select pg_sleep(10)'), (e: PgError) => e.code === '57014');
    assert.ok(Date.now() - t0 < 3000);
    for (let i = 0; i < 5; i++) assert.equal((await client.query('select pg_sleep(0.1), 1 as one')).rows[0].one, 1);
    await client.end();
  });

  it('client_idle_timeout closes a quiet client with 57P05, a busy one stays', async () => {
    const quiet = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const errors: PgError[] = [];
    quiet.on('error', (e: PgError) => errors.push(e));
    const busy = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const ended = new Promise<void>((resolve) => quiet.on('end', () => resolve()));
    for (let i = 0; i < 8; i++) {
      await busy.query('select 1');
      await sleep(150);
    }
    await ended;
    assert.equal(errors[0]?.code, '57P05');
    assert.equal((await busy.query('select 1 as one')).rows[0].one, 1);
    await busy.end();
  });
});
