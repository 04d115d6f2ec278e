// Named prepared statements in transaction mode, through `pgdog serve` with real drivers: pgbench
// -M prepared, postgres.js (prepare: true) and pg (name:) sharing a few server connections, long
// names, eviction under prepared_statements_limit, DEALLOCATE and Parse errors as PostgreSQL gives them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { seededRandom, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, runBin, startPgdog, type Pgdog, type PgClient } from './e2e-harness.js';

type PgError = Error & { code?: string };

const USER = { name: 'app', password: 'secret', database: 'appdb' };

describe('transaction mode: named prepared statements', { timeout: 120_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;
  let limited: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'md5' }], databases: [{ name: 'appdb', owner: 'app' }] });
    [dog, limited] = await Promise.all([
      startPgdog({ general: { default_pool_size: 3, checkout_timeout: 30_000, auth_type: 'md5' }, databases: [{ name: 'appdb', port: pg.port }], users: [USER] }),
      startPgdog({ general: { default_pool_size: 1, prepared_statements_limit: 100, auth_type: 'md5' }, databases: [{ name: 'appdb', port: pg.port }], users: [USER] }),
    ]);
  });
  after(async () => {
    await dog?.stop();
    await limited?.stop();
    await stopAll();
  });

  const direct = (): Promise<PgClient> => pgConnect({ host: pg.host, port: pg.port, user: 'app', password: 'secret', database: 'appdb' });

  it('pgbench -M prepared, 8 clients over 3 server connections: zero errors', async () => {
    const env = dog.env('app', 'secret', 'appdb');
    const init = await runBin(pg.pgbin('pgbench')!, ['-i', '-s', '1', '-q'], { ...env, PGPORT: String(pg.port) });
    assert.equal(init.code, 0, init.stderr);
    for (const args of [['-S'], []]) {
      // One thread per client: pgbench prepares each statement synchronously when first used, so a
      // thread driving several clients would block on one waiting for a server another one holds
      // (PgBouncer or a direct max_connections limit deadlock the same way).
      // A fixed count, not a duration: on a loaded machine a timed run proves nothing about errors.
      const r = await runBin(pg.pgbin('pgbench')!, ['-n', '-c', '8', '-j', '8', '-t', '40', '-M', 'prepared', ...args], env, 60_000);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /number of failed transactions: 0 /);
      assert.equal(Number(/actually processed: (\d+)/.exec(r.stdout)?.[1]), 320, r.stdout);
    }
  });

  /** A few statement shapes; each returns `r`, which must equal `expect`. */
  const shapes = [
    { text: 'SELECT $1::int + $2::int AS r', args: (a: number, b: number) => [a, b], expect: (a: number, b: number) => a + b },
    { text: 'SELECT $1::int * 3 - $2::int AS r', args: (a: number, b: number) => [a, b], expect: (a: number, b: number) => a * 3 - b },
    { text: "SELECT length(repeat('x', $1::int)) + $2::int AS r", args: (a: number, b: number) => [a % 50, b], expect: (a: number, b: number) => (a % 50) + b },
    { text: 'SELECT count(*)::int + $2::int AS r FROM generate_series(1, $1::int)', args: (a: number, b: number) => [a % 20, b], expect: (a: number, b: number) => (a % 20) + b },
  ];

  it('postgres.js (prepare: true): 50 clients over 3 server connections, 20,000 queries, every result right', async () => {
    const rnd = seededRandom(7);
    const clients = Array.from({ length: 50 }, () =>
      postgres({ host: '127.0.0.1', port: dog.port, user: 'app', password: 'secret', database: 'appdb', max: 1, ssl: false, prepare: true, onnotice: () => {} }),
    );
    let wrong = 0;
    let done = 0;
    try {
      await Promise.all(
        clients.map(async (sql) => {
          for (let i = 0; i < 400; i++) {
            const s = shapes[Math.floor(rnd() * shapes.length)];
            const a = Math.floor(rnd() * 1000);
            const b = Math.floor(rnd() * 1000);
            const rows = await sql.unsafe(s.text, s.args(a, b), { prepare: true });
            if (Number(rows[0].r) !== s.expect(a, b)) wrong++;
            done++;
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end({ timeout: 1 })));
    }
    assert.equal(done, 20_000);
    assert.equal(wrong, 0);
    assert.ok(dog.server.stats().pools.every((p) => p.stats.total <= 3));
  });

  it('pg with named queries: 50 clients over 3 server connections, 10,000 queries, every result right', async () => {
    const rnd = seededRandom(11);
    const clients = await Promise.all(Array.from({ length: 50 }, () => pgConnect(dog.config('app', 'secret', 'appdb'))));
    let wrong = 0;
    try {
      await Promise.all(
        clients.map(async (c, ci) => {
          for (let i = 0; i < 200; i++) {
            const k = Math.floor(rnd() * shapes.length);
            const s = shapes[k];
            const a = Math.floor(rnd() * 1000);
            const b = Math.floor(rnd() * 1000);
            // The same name means different SQL for different clients: names must never collide.
            const r = await c.query({ name: `q${(k + ci) % shapes.length}`, text: s.text, values: s.args(a, b) });
            if (Number(r.rows[0].r) !== s.expect(a, b)) wrong++;
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
    assert.equal(wrong, 0);
  });

  it('statement names longer than 63 bytes behave as in PostgreSQL (keyed by their first 63 bytes)', async () => {
    const long = 'n'.repeat(70);
    const twin = 'n'.repeat(63) + 'different';
    const outcome = async (c: PgClient): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push(String((await c.query({ name: long, text: 'SELECT $1::int + 1 AS r', values: [i] })).rows[0].r));
      const err = await c.query({ name: twin, text: 'SELECT 2 AS r' }).catch((e: PgError) => e);
      out.push(err instanceof Error ? `${(err as PgError).code} ${err.message.replace(twin, 'TWIN')}` : 'ok');
      return out;
    };
    const [ours, theirs] = [await pgConnect(dog.config('app', 'secret', 'appdb')), await direct()];
    try {
      assert.deepEqual(await outcome(ours), await outcome(theirs));
    } finally {
      await ours.end();
      await theirs.end();
    }
  });

  it('1,000 distinct statements against prepared_statements_limit = 100: all right, the server keeps at most 100', async () => {
    const c = await pgConnect(limited.config('app', 'secret', 'appdb'));
    try {
      for (let round = 0; round < 2; round++) {
        for (let k = 0; k < 1000; k++) {
          const r = await c.query({ name: `s${k}`, text: `SELECT $1::int + ${k} AS r`, values: [round] });
          assert.equal(Number(r.rows[0].r), round + k);
        }
      }
      const n = await c.query('SELECT count(*)::int AS n FROM pg_prepared_statements');
      assert.ok(Number(n.rows[0].n) <= 100, `server holds ${n.rows[0].n} statements`);
    } finally {
      await c.end();
    }
  });

  it('DEALLOCATE of an unknown name, DEALLOCATE / DISCARD ALL of known ones: as PostgreSQL answers', async () => {
    const script = async (c: PgClient): Promise<string[]> => {
      const out: string[] = [];
      const run = async (q: string | { name: string; text: string; values?: unknown[] }): Promise<void> => {
        try {
          const r = await c.query(q);
          out.push(`${r.command} ${JSON.stringify(r.rows)}`);
        } catch (e) {
          out.push(`${(e as PgError).code} ${(e as Error).message}`);
        }
      };
      await run('DEALLOCATE nope');
      await run('DEALLOCATE __pgdog_1');
      await run({ name: 'mine', text: 'SELECT 41 + 1 AS r' });
      await run('DEALLOCATE mine');
      await run('DEALLOCATE ALL');
      await run('DISCARD ALL');
      await run('SELECT 1 AS r');
      return out;
    };
    const [ours, theirs] = [await pgConnect(dog.config('app', 'secret', 'appdb')), await direct()];
    try {
      assert.deepEqual(await script(ours), await script(theirs));
    } finally {
      await ours.end();
      await theirs.end();
    }
  });

  it('Parse errors: the statement fails as in PostgreSQL and the next one works', async () => {
    const script = async (c: PgClient): Promise<string[]> => {
      const out: string[] = [];
      for (const q of [
        { name: 'bad', text: 'SELEC 1' },
        { name: 'missing', text: 'SELECT * FROM no_such_table' },
        { name: 'ok', text: 'SELECT $1::int AS r', values: [5] },
        { name: 'bad', text: 'SELECT 2 AS r' },
        { name: 'ok', text: 'SELECT $1::int AS r', values: [6] },
      ]) {
        try {
          out.push(JSON.stringify((await c.query(q)).rows));
        } catch (e) {
          out.push(`${(e as PgError).code} ${(e as Error).message}`);
        }
      }
      return out;
    };
    const [ours, theirs] = [await pgConnect(dog.config('app', 'secret', 'appdb')), await direct()];
    try {
      assert.deepEqual(await script(ours), await script(theirs));
    } finally {
      await ours.end();
      await theirs.end();
    }
  });
});
