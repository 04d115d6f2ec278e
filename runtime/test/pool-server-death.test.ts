// A PostgreSQL server that crashes under a pool: the client holding a server hears about it, the
// dead servers are never handed out again, and once PostgreSQL is back the next checkout works.

import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { Pool } from '../src/pool/pool.js';
import { PoolError } from '../src/pool/pool-error.js';
import { SqlState } from '../src/protocol/sqlstate.js';
import { CollectingSink, simpleQuery } from './support/collecting-sink.js';
import { poolSettings } from './support/pool-settings.js';

let pg: PgServer;
before(async () => {
  pg = await startPostgres({ users: [{ name: 'app', password: 'app pw', auth: 'scram' }] });
  // The harness runs with synchronous_commit off: make the role survive the crash below.
  await pg.query('CHECKPOINT');
});
after(() => stopAll());

it('server killed: broken lease not reused, waiters get the cause, a fresh connection after restart', async () => {
  const pool = new Pool(poolSettings(pg, 'app', 'app pw', { poolSize: 2, connectTimeoutMs: 2000 }));
  try {
    const held = await pool.checkout();
    const idle = await pool.checkout();
    const deadIds = [held.server.id, idle.server.id];
    idle.release();
    const sink = new CollectingSink();
    held.server.attach(sink);
    await pg.kill();
    const err = await sink.whenClosed();
    // Immediate shutdown warns the client (57P01, not FATAL) and drops the socket.
    assert.ok([SqlState.AdminShutdown, SqlState.ConnectionFailure].includes(err.sqlstate as never), err.sqlstate);
    held.release('broken');
    const deadline = Date.now() + 3000;
    while (pool.stats().total !== 0) {
      assert.ok(Date.now() < deadline, 'dead servers still counted');
      await sleep(10);
    }
    assert.equal(pool.stats().closed, 2);

    // While it is down, checkouts fail fast with the connect error instead of hanging.
    const down = await pool.checkout().then(
      () => assert.fail('checkout succeeded against a dead server'),
      (e: unknown) => e,
    );
    assert.ok(down instanceof PoolError);
    assert.equal(down.sqlstate, SqlState.SqlClientUnableToEstablishSqlConnection);
    assert.match(down.message, /ECONNREFUSED/);

    await pg.start();
    const fresh = await pool.checkout();
    assert.ok(!deadIds.includes(fresh.server.id));
    assert.deepEqual((await simpleQuery(fresh.server, 'SELECT 1')).rows, [['1']]);
    fresh.release();
    assert.deepEqual([pool.stats().created, pool.stats().idle], [3, 1]);
  } finally {
    await pool.close();
  }
});
