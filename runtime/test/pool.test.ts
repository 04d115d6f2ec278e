// Pool against real PostgreSQL: waiting, limits, timeouts, connect failures, what happens to a
// server after each kind of release, the janitor, and shutdown.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { Pool, type PoolOptions, type PoolStats } from '../src/pool/pool.js';
import { PoolError } from '../src/pool/pool-error.js';
import type { PoolSettings } from '../src/config/snapshot.js';
import { ServerError } from '../src/backend/server-error.js';
import { TransactionStatus } from '../src/protocol/backend/ready-for-query.js';
import { SqlState } from '../src/protocol/sqlstate.js';
import { CollectingSink, closedPort, simpleQuery } from './support/collecting-sink.js';
import { poolSettings } from './support/pool-settings.js';

let pg: PgServer;
const pools: Pool[] = [];

before(async () => {
  pg = await startPostgres({
    users: [
      { name: 'app', password: 'app pw', auth: 'scram' },
      { name: 'warm', password: 'warm pw', auth: 'md5' },
    ],
  });
  await pg.query('CREATE TABLE locked (id int PRIMARY KEY, v int); INSERT INTO locked VALUES (1, 0); GRANT ALL ON locked TO app');
});
after(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await stopAll();
});

function makePool(over: Partial<PoolSettings> = {}, options: PoolOptions = {}, user = 'app', password = 'app pw'): Pool {
  const pool = new Pool(poolSettings(pg, user, password, over), options);
  pools.push(pool);
  return pool;
}

async function serverConnections(user: string): Promise<number> {
  const [row] = await pg.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND application_name = 'pgdog'", [user]);
  return Number(row.n);
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function poolRejection(p: Promise<unknown>): Promise<PoolError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof PoolError, String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

describe('checkout', () => {
  it('50 concurrent checkouts over pool_size 5 all complete, never more than 5 servers', async () => {
    const pool = makePool({ poolSize: 5 });
    let peak = 0;
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const lease = await pool.checkout();
        peak = Math.max(peak, pool.stats().active);
        const r = await simpleQuery(lease.server, `SELECT ${i}, pg_sleep(0.005)`);
        assert.equal(r.rows[0][0], String(i));
        lease.release('clean');
      }),
    );
    const s: PoolStats = pool.stats();
    assert.ok(peak <= 5 && s.created <= 5, `peak ${peak}, created ${s.created}`);
    assert.equal(s.checkouts, 50);
    assert.ok(s.waits >= 45 && s.waitMaxMs > 0 && s.waitTotalMs >= s.waitMaxMs);
    assert.deepEqual([s.active, s.waiting, s.connecting, s.idle, s.closed], [0, 0, 0, s.created, 0]);
    assert.equal(await serverConnections('app'), s.created);
    await pool.close();
    await until('the backends to exit', async () => (await serverConnections('app')) === 0);
  });

  it('tryCheckout hands out an idle server synchronously, else null without queueing or connecting', async () => {
    const pool = makePool({ poolSize: 1 });
    assert.equal(pool.tryCheckout(), null);
    assert.deepEqual([pool.stats().waiting, pool.stats().connecting], [0, 0]);
    (await pool.checkout()).release();
    const lease = pool.tryCheckout();
    assert.ok(lease !== null);
    assert.deepEqual([pool.stats().idle, pool.stats().active, pool.stats().checkouts, pool.stats().waits], [0, 1, 2, 1]);
    assert.deepEqual((await simpleQuery(lease.server, 'SELECT 7')).rows, [['7']]);
    assert.equal(pool.tryCheckout(), null);
    lease.release();
    const done = pool.drain();
    assert.equal(pool.tryCheckout(), null);
    await done;
  });

  it('checkoutOrWait: a waiter gets the freed server inside the release; errors come later, as rejections', async () => {
    const pool = makePool({ poolSize: 1, checkoutTimeoutMs: 5000 });
    (await pool.checkout()).release();
    // An idle server: no wait, the promise.
    const first = pool.checkoutOrWait({}, () => assert.fail('not a wait'), () => assert.fail('no error'));
    assert.ok(first !== null);
    const held = await first;
    const got: string[] = [];
    let handed: { server: { id: number }; release(): void } | null = null;
    const waiting = pool.checkoutOrWait({}, (l) => {
      got.push('lease');
      handed = l;
    }, (e) => got.push(`error ${e.message}`));
    assert.equal(waiting, null);
    assert.equal(pool.stats().waiting, 1);
    held.release();
    // Handed over before release() returned: no promise turn in between.
    assert.deepEqual(got, ['lease']);
    assert.equal(handed!.server.id, held.server.id);
    assert.deepEqual([pool.stats().waiting, pool.stats().active], [0, 1]);
    const timedOut: string[] = [];
    assert.equal(pool.checkoutOrWait({ timeoutMs: 30 }, () => assert.fail('pool is full'), (e) => timedOut.push((e as PoolError).kind)), null);
    await until('the timeout', () => timedOut.length === 1);
    assert.deepEqual(timedOut, ['checkout_timeout']);
    handed!.release();
    await pool.close();
    const refused = pool.checkoutOrWait({}, () => assert.fail('closed'), () => assert.fail('refusals are promises'));
    assert.equal((await poolRejection(refused!)).kind, 'shutting_down');
  });

  it('opens at most maxConcurrentConnects at once', async () => {
    const pool = makePool({ poolSize: 5 }, { maxConcurrentConnects: 2 });
    const leases = Array.from({ length: 5 }, () => pool.checkout());
    assert.deepEqual([pool.stats().connecting, pool.stats().waiting], [2, 5]);
    for (const lease of await Promise.all(leases)) lease.release();
    assert.equal(pool.stats().created, 5);
    await pool.close();
  });

  it('times out with 53300 and a message naming the pool', async () => {
    const pool = makePool({ poolSize: 1, checkoutTimeoutMs: 300 });
    const held = await pool.checkout();
    const t0 = Date.now();
    const e = await poolRejection(pool.checkout());
    const took = Date.now() - t0;
    assert.ok(took >= 280 && took < 1000, `took ${took} ms`);
    assert.equal(e.sqlstate, SqlState.TooManyConnections);
    assert.equal(e.kind, 'checkout_timeout');
    assert.equal(e.message, 'pgdog: no server connection available for app@postgres within 300 ms (pool size 1, all in use)');
    const quick = await poolRejection(pool.checkout({ timeoutMs: 50 }));
    assert.match(quick.message, /within 50 ms/);
    assert.deepEqual([pool.stats().checkoutTimeouts, pool.stats().waiting], [2, 0]);
    const id = held.server.id;
    held.release();
    const again = await pool.checkout();
    assert.equal(again.server.id, id);
    again.release();
    await pool.close();
  });

  it('a closed port fails every waiter at once with the cause', async () => {
    const port = await closedPort();
    const pool = new Pool(poolSettings({ host: '127.0.0.1', port }, 'app', 'x', { checkoutTimeoutMs: 10_000 }));
    pools.push(pool);
    const t0 = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => pool.checkout()));
    assert.ok(Date.now() - t0 < 1000);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const e = r.reason as PoolError;
      assert.ok(e instanceof PoolError);
      assert.equal(e.kind, 'connect_failed');
      assert.equal(e.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
      assert.match(e.message, new RegExp(`could not open a server connection for app@postgres: pgdog: could not connect to server 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
      assert.ok(e.cause instanceof ServerError);
    }
    const s = pool.stats();
    assert.deepEqual([s.total, s.waiting], [0, 0]);
    assert.ok(s.connectErrors >= 1);
    await pool.close();
  });

  it('a server refusing our password surfaces its 28P01; a rotated password list tries the next', async () => {
    const wrong = makePool({}, {}, 'app', 'not it');
    const e = await poolRejection(wrong.checkout());
    assert.equal(e.sqlstate, SqlState.InvalidPassword);
    assert.match(e.message, /password authentication failed for user "app"/);
    const rotated = makePool({ serverPasswords: ['old one', 'app pw'] });
    const lease = await rotated.checkout();
    assert.deepEqual((await simpleQuery(lease.server, 'SELECT current_user')).rows, [['app']]);
    lease.release();
    await Promise.all([wrong.close(), rotated.close()]);
  });
});

describe('release', () => {
  it('dirty: ROLLBACK releases the transaction\'s row lock, and the server is reused', async () => {
    const pool = makePool({ poolSize: 1 });
    const lease = await pool.checkout();
    const r = await simpleQuery(lease.server, 'BEGIN; SELECT v FROM locked WHERE id = 1 FOR UPDATE');
    assert.equal(r.status, 'T');
    const id = lease.server.id;
    lease.release('dirty');
    // Without the ROLLBACK this UPDATE would wait for the lock and fail after lock_timeout.
    await pg.query("SET lock_timeout = '2s'; UPDATE locked SET v = v + 1 WHERE id = 1");
    const next = await pool.checkout();
    assert.equal(next.server.id, id);
    assert.equal(next.server.txStatus, TransactionStatus.Idle);
    // A "clean" release inside a transaction is rolled back too, never handed on.
    await simpleQuery(next.server, 'BEGIN; SELECT v FROM locked WHERE id = 1 FOR UPDATE');
    next.release('clean');
    await pg.query("SET lock_timeout = '2s'; UPDATE locked SET v = v + 1 WHERE id = 1");
    const third = await pool.checkout();
    assert.deepEqual([third.server.id, pool.stats().closed], [id, 0]);
    third.release();
    await pool.close();
  });

  it('broken: the server is closed, the next checkout gets a fresh one; release is idempotent', async () => {
    const pool = makePool({ poolSize: 1 });
    const lease = await pool.checkout();
    const id = lease.server.id;
    lease.release('broken');
    assert.equal(lease.released, true);
    lease.release('clean');
    assert.deepEqual([pool.stats().closed, pool.stats().idle], [1, 0]);
    const next = await pool.checkout();
    assert.notEqual(next.server.id, id);
    assert.deepEqual((await simpleQuery(next.server, 'SELECT 1')).rows, [['1']]);
    next.release();
    await pool.close();
  });

  it('session reset: DISCARD ALL before reuse when asked', async () => {
    const pool = makePool({ poolSize: 1 });
    const check = "SELECT count(*) FROM pg_prepared_statements; SHOW work_mem";
    const a = await pool.checkout();
    await simpleQuery(a.server, "PREPARE p1 AS SELECT 1; SET work_mem = '7MB'");
    a.release('clean');
    const b = await pool.checkout();
    assert.deepEqual((await simpleQuery(b.server, check)).rows, [['1'], ['7MB']]);
    b.release('clean', { reset: true });
    const c = await pool.checkout();
    assert.equal(c.server.id, a.server.id);
    assert.deepEqual((await simpleQuery(c.server, check)).rows, [['0'], ['4MB']]);
    c.release();
    await pool.close();
  });

  it('a server killed while idle is dropped and replaced', async () => {
    const pool = makePool({ poolSize: 2 });
    const lease = await pool.checkout();
    const victim = lease.server;
    lease.release();
    await pg.query('SELECT pg_terminate_backend($1)', [victim.backendKey?.processId]);
    await until('the pool to drop the dead server', () => pool.stats().closed === 1);
    const next = await pool.checkout();
    assert.notEqual(next.server.id, victim.id);
    assert.deepEqual((await simpleQuery(next.server, 'SELECT 1')).rows, [['1']]);
    next.release();
    await pool.close();
  });
});

describe('maintenance', () => {
  it('idle_timeout closes idle servers down to min_pool_size', async () => {
    const pool = makePool({ poolSize: 3, minPoolSize: 1, idleTimeoutMs: 150 });
    const leases = await Promise.all([1, 2, 3].map(() => pool.checkout()));
    for (const l of leases) l.release();
    const t0 = Date.now();
    assert.equal(pool.stats().idle, 3);
    await until('idle servers to time out', () => pool.stats().idle === 1);
    assert.ok(Date.now() - t0 >= 140);
    assert.equal(pool.stats().closed, 2);
    await sleep(300);
    assert.equal(pool.stats().idle, 1);
    await pool.close();
  });

  it('server_lifetime closes a server at checkin, and idle ones in the janitor', async () => {
    const pool = makePool({ poolSize: 2, serverLifetimeMs: 300, idleTimeoutMs: 0 });
    const a = await pool.checkout();
    await sleep(350);
    a.release();
    assert.deepEqual([pool.stats().closed, pool.stats().idle], [1, 0]);
    const b = await pool.checkout();
    assert.notEqual(b.server.id, a.server.id);
    b.release();
    assert.equal(pool.stats().idle, 1);
    await until('the idle server to expire', () => pool.stats().closed === 2, 2000);
    assert.equal(pool.stats().total, 0);
    await pool.close();
  });

  it('min_pool_size is opened up front and refilled', async () => {
    const pool = makePool({ poolSize: 5, minPoolSize: 3 }, {}, 'warm', 'warm pw');
    await until('3 warm servers', () => pool.stats().idle === 3);
    assert.equal(await serverConnections('warm'), 3);
    const [row] = await pg.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE usename = 'warm' LIMIT 1");
    await pg.query('SELECT pg_terminate_backend($1)', [row.pid]);
    await until('the pool to refill', async () => pool.stats().closed === 1 && pool.stats().idle === 3);
    assert.equal(pool.stats().created, 4);
    await pool.close();
    await until('the backends to exit', async () => (await serverConnections('warm')) === 0);
  });

  it('warming up against a dead server backs off instead of spinning', async () => {
    const port = await closedPort();
    const pool = new Pool(poolSettings({ host: '127.0.0.1', port }, 'app', 'x', { minPoolSize: 2, idleTimeoutMs: 40 }));
    pools.push(pool);
    await sleep(400);
    // Two connects at creation; the janitor ticks every 10 ms but waits a second after a failure.
    assert.equal(pool.stats().connectErrors, 2);
    await pool.close();
  });
});

describe('shutdown', () => {
  it('drain waits for leased servers, refuses new checkouts with 57P01', async () => {
    const pool = makePool({ poolSize: 2 });
    const held = await pool.checkout();
    const spare = await pool.checkout();
    spare.release();
    let drained = false;
    const done = pool.drain().then(() => {
      drained = true;
    });
    const e = await poolRejection(pool.checkout());
    assert.deepEqual([e.sqlstate, e.kind], [SqlState.AdminShutdown, 'shutting_down']);
    await sleep(50);
    assert.deepEqual([drained, pool.stats().idle, pool.stats().active], [false, 0, 1]);
    assert.deepEqual((await simpleQuery(held.server, 'SELECT 1')).rows, [['1']]);
    held.release();
    await done;
    assert.equal(pool.stats().total, 0);
  });

  it('close interrupts leased servers: their sinks hear it', async () => {
    const pool = makePool({ poolSize: 1 });
    const held = await pool.checkout();
    const sink = new CollectingSink();
    held.server.attach(sink);
    await pool.close();
    const err = await sink.whenClosed();
    assert.equal(err.sqlstate, SqlState.ConnectionFailure);
    assert.match(err.message, /pool closed/);
    held.release();
    assert.equal(pool.stats().total, 0);
  });
});
