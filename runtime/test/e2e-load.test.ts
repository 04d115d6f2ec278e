// Load through pgdog: pgbench (initialisation, select-only and TPC-B, simple and extended
// protocol) and 300 concurrent clients sharing a pool of 5 server connections.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, runBin, startPgdog, type Pgdog } from './e2e-harness.js';

describe('pgdog end to end: load', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dog = await startPgdog({
      general: { default_pool_size: 5, checkout_timeout: 30_000 },
      databases: [{ name: 'appdb', port: pg.port }],
      users: [{ name: 'app', password: 'secret', database: 'appdb' }],
    });
  });
  after(async () => {
    await dog?.stop();
    await stopAll();
  });

  function pgbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return runBin(pg.pgbin('pgbench')!, args, dog.env('app', 'secret', 'appdb'), 120_000);
  }

  it('pgbench -i through pgdog', async () => {
    const r = await pgbench(['-i', '-s', '2', '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /done in/);
    const rows = await pg.query<{ n: number }>('select count(*)::int as n from pgbench_accounts', [], { database: 'appdb' });
    assert.equal(rows[0].n, 200_000);
  });

  for (const [name, args] of [
    ['select-only, simple protocol', ['-S', '-M', 'simple']],
    ['select-only, extended protocol', ['-S', '-M', 'extended']],
    ['TPC-B, simple protocol', ['-M', 'simple']],
    ['TPC-B, extended protocol', ['-M', 'extended']],
  ] as const) {
    it(`pgbench ${name}, 8 clients over a pool of 5`, async () => {
      const r = await pgbench(['-n', '-c', '8', '-j', '2', '-T', '3', ...args]);
      assert.equal(r.code, 0, r.stderr);
      const processed = Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1]);
      assert.ok(processed > 100, r.stdout);
      assert.match(r.stdout, /number of failed transactions: 0 /);
    });
  }

  it('300 concurrent clients (node-postgres and postgres.js) over default_pool_size = 5 all succeed', async () => {
    const peak = { servers: 0 };
    const sampler = setInterval(() => {
      for (const p of dog.server.stats().pools) peak.servers = Math.max(peak.servers, p.stats.total);
    }, 5);
    const one = async (i: number): Promise<number> => {
      if (i % 2 === 0) {
        const c = await pgConnect(dog.config('app', 'secret', 'appdb'));
        try {
          await c.query('begin');
          const r = await c.query('select $1::int * 2 as n, pg_sleep(0.005)', [i]);
          await c.query('commit');
          return r.rows[0].n as number;
        } finally {
          await c.end();
        }
      }
      const sql = postgres({ ...dog.config('app', 'secret', 'appdb'), prepare: false, max: 1, connect_timeout: 30 });
      try {
        const [row] = await sql.begin(async (tx) => tx`select ${i}::int * 2 as n, pg_sleep(0.005)`);
        return row.n as number;
      } finally {
        await sql.end();
      }
    };
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => one(i)));
    clearInterval(sampler);
    const failures = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failures, []);
    assert.deepEqual(results.map((r) => (r as PromiseFulfilledResult<number>).value), Array.from({ length: 300 }, (_, i) => i * 2));
    assert.ok(peak.servers <= 5, `at most 5 server connections, saw ${peak.servers}`);
    const onServer = await pg.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where usename = 'app'");
    assert.ok(onServer[0].n <= 5);
  });
});
