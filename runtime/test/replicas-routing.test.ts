// Reads and writes through pgdog to a real primary with two streaming replicas: where each kind of
// statement runs (inet_server_port() tells the host), how each load-balancing strategy spreads
// 1,000 reads, and the read/write split rules: writes, FOR UPDATE, transactions, hints, rules,
// the extended protocol and pipelined statements.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import postgres from 'postgres';
import { seededRandom, startPrimaryWithReplicas, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, startPgdog, type Pgdog, type PgClient, type PgdogOptions } from './e2e-harness.js';

type PgError = Error & { code?: string };

const USER = { name: 'app', password: 'secret', database: 'appdb' };

describe('replicas: routing and load balancing', { timeout: 180_000 }, () => {
  let primary: PgServer;
  let replicas: PgServer[];
  const dogs: Pgdog[] = [];

  async function dog(general: PgdogOptions['general'], extra: Partial<PgdogOptions> = {}, weights: [number, number, number] | null = null): Promise<Pgdog> {
    const d = await startPgdog({
      general: { default_pool_size: 4, ...general },
      databases: [
        { name: 'appdb', port: primary.port, role: 'primary', ...(weights ? { lb_weight: weights[0] } : {}) },
        { name: 'appdb', port: replicas[0].port, role: 'replica', ...(weights ? { lb_weight: weights[1] } : {}) },
        { name: 'appdb', port: replicas[1].port, role: 'replica', ...(weights ? { lb_weight: weights[2] } : {}) },
      ],
      users: [USER],
      ...extra,
    });
    dogs.push(d);
    return d;
  }

  async function client(d: Pgdog): Promise<PgClient> {
    return pgConnect(d.config('app', 'secret', 'appdb'));
  }

  async function port(c: PgClient, sql = 'SELECT inet_server_port() AS p'): Promise<number> {
    return Number((await c.query(sql)).rows[0].p);
  }

  async function spread(d: Pgdog, n: number): Promise<Map<number, number>> {
    const c = await client(d);
    const counts = new Map<number, number>();
    try {
      for (let i = 0; i < n; i++) {
        const p = await port(c);
        counts.set(p, (counts.get(p) ?? 0) + 1);
      }
    } finally {
      await c.end();
    }
    return counts;
  }

  const name = (p: number): string => (p === primary.port ? 'primary' : p === replicas[0].port ? 'r1' : p === replicas[1].port ? 'r2' : String(p));
  const named = (m: Map<number, number>): Record<string, number> => Object.fromEntries([...m].map(([p, n]) => [name(p), n]));

  before(async () => {
    ({ primary, replicas } = await startPrimaryWithReplicas(2, {
      users: [{ name: 'app', password: 'secret', auth: 'scram' }],
      databases: [{ name: 'appdb', owner: 'app' }],
    }));
    const c = await primary.connect('app', 'secret', 'appdb');
    await c.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
    await c.query("INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 10) g");
    await c.query('CREATE SEQUENCE s');
    await c.end();
    for (const r of replicas) await primary.waitForReplay(r, 30_000);
  });
  after(async () => {
    for (const d of dogs) await d.stop();
    await stopAll();
  });

  it('round_robin, exclude_primary: 1,000 reads split exactly 500 / 500 over the replicas', async () => {
    const d = await dog({ load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' });
    assert.deepEqual(named(await spread(d, 1000)), { r1: 500, r2: 500 });
  });

  it('round_robin, include_primary: 1,000 reads split three ways', async () => {
    const d = await dog({ load_balancing_strategy: 'round_robin' });
    const counts = named(await spread(d, 1000));
    assert.deepEqual(Object.keys(counts).sort(), ['primary', 'r1', 'r2']);
    for (const n of Object.values(counts)) assert.ok(n === 333 || n === 334, JSON.stringify(counts));
  });

  it('random (seeded), exclude_primary: each replica gets 40-60% of 1,000 reads', async () => {
    const d = await dog({ load_balancing_strategy: 'random', read_write_split: 'exclude_primary' }, { random: seededRandom(11) });
    const counts = named(await spread(d, 1000));
    assert.equal((counts.r1 ?? 0) + (counts.r2 ?? 0), 1000);
    for (const k of ['r1', 'r2']) assert.ok(counts[k] > 400 && counts[k] < 600, JSON.stringify(counts));
  });

  it('weighted_round_robin: lb_weight 200 / 50 gives 800 / 200 of 1,000 reads', async () => {
    const d = await dog({ load_balancing_strategy: 'weighted_round_robin', read_write_split: 'exclude_primary' }, {}, [255, 200, 50]);
    assert.deepEqual(named(await spread(d, 1000)), { r1: 800, r2: 200 });
  });

  it('least_active_connections: a replica busy with long queries gets none of 200 reads', async () => {
    const d = await dog({ load_balancing_strategy: 'least_active_connections', read_write_split: 'exclude_primary' });
    const sleepers = await Promise.all([client(d), client(d)]);
    // Both sleep on whichever replica least_active picks: the first on one, the second on the other;
    // a third takes the first's replica again, leaving it with 2 active against 1.
    const third = await client(d);
    const running = [...sleepers, third].map((c) => c.query('SELECT inet_server_port() AS p, pg_sleep(3)'));
    await new Promise((r) => setTimeout(r, 500));
    const counts = named(await spread(d, 200));
    const ports = (await Promise.all(running)).map((r) => name(Number(r.rows[0].p)));
    const busy = ports.filter((p) => p === 'r1').length > 1 ? 'r1' : 'r2';
    const quiet = busy === 'r1' ? 'r2' : 'r1';
    assert.deepEqual(counts, { [quiet]: 200 }, `sleepers on ${ports.join(', ')}`);
    for (const c of [...sleepers, third]) await c.end();
  });

  it('writes, FOR UPDATE and nextval go to the primary; reads to replicas', async () => {
    const d = await dog({ load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' });
    const c = await client(d);
    for (let i = 0; i < 10; i++) {
      assert.equal(name(await port(c, `INSERT INTO items VALUES (${100 + i}, 'w') RETURNING inet_server_port() AS p`)), 'primary');
      assert.equal(name(await port(c, 'SELECT inet_server_port() AS p FROM items WHERE id = 1 FOR UPDATE')), 'primary');
      assert.equal(name(await port(c, "SELECT inet_server_port() AS p, nextval('s')")), 'primary');
      assert.match(name(await port(c)), /^r[12]$/);
    }
    await c.query('DELETE FROM items WHERE id >= 100');
    await c.end();
  });

  it('conservative: a transaction runs on the primary, BEGIN READ ONLY on a replica', async () => {
    const d = await dog({ read_write_split: 'exclude_primary' });
    const c = await client(d);
    await c.query('BEGIN');
    assert.equal(name(await port(c)), 'primary');
    await c.query('COMMIT');
    await c.query('BEGIN READ ONLY');
    const p = name(await port(c));
    assert.match(p, /^r[12]$/);
    assert.equal(name(await port(c)), p, 'the whole transaction on one replica');
    await c.query('COMMIT');
    await c.end();
  });

  it('aggressive: BEGIN waits for the first statement, which picks the host; its answers look as usual', async () => {
    const d = await dog({ read_write_split: 'exclude_primary', read_write_strategy: 'aggressive' });
    const c = await client(d);
    const begin = await c.query('BEGIN');
    assert.equal(begin.command, 'BEGIN');
    const p = name(await port(c));
    assert.match(p, /^r[12]$/);
    assert.equal((await c.query('SELECT current_setting($1) AS v', ['transaction_isolation'])).rows.length, 1);
    assert.equal(name(await port(c, 'SELECT inet_server_port() AS p, now() = statement_timestamp() AS fresh')), p);
    await c.query('COMMIT');
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    assert.equal(name(await port(c, "INSERT INTO items VALUES (200, 'tx') RETURNING inet_server_port() AS p")), 'primary');
    assert.equal((await c.query('SELECT current_setting($1) AS v', ['transaction_isolation'])).rows[0].v, 'repeatable read');
    await c.query('ROLLBACK');
    // BEGIN then COMMIT with nothing in between never needs a server.
    assert.equal((await c.query('BEGIN')).command, 'BEGIN');
    assert.equal((await c.query('COMMIT')).command, 'COMMIT');
    assert.equal((await c.query('SELECT count(*)::int AS n FROM items WHERE id = 200')).rows[0].n, 0);
    await c.end();
  });

  it('hints and rules: SET pgdog.role, a comment, a replica rule and a block rule', async () => {
    const d = await dog(
      { read_write_split: 'exclude_primary' },
      {
        rules: [
          { name: 'no drops', match: "query ~ '^DROP'", route: 'block', message: 'drops are not allowed through pgdog' },
          { name: 'items on primary', match: "table = 'items'", route: 'primary' },
        ],
      },
    );
    const c = await client(d);
    assert.equal(name(await port(c, 'SELECT inet_server_port() AS p FROM items LIMIT 1')), 'primary', 'rule');
    assert.match(name(await port(c)), /^r[12]$/);
    assert.equal(name(await port(c, '/* pgdog_role: primary */ SELECT inet_server_port() AS p')), 'primary', 'comment');
    await c.query("SET pgdog.role TO 'primary'");
    assert.equal(name(await port(c)), 'primary', 'SET pgdog.role');
    await c.query('RESET pgdog.role');
    assert.match(name(await port(c)), /^r[12]$/);
    const err = await c.query('DROP TABLE items').then(() => null, (e: PgError) => e);
    assert.equal(err?.code, '42501');
    assert.match(err?.message ?? '', /drops are not allowed/);
    assert.equal(name(await port(c, 'SELECT inet_server_port() AS p FROM items LIMIT 1')), 'primary', 'the client goes on');
    await c.end();
  });

  it('extended protocol: parameters, named statements reused, each on its role', async () => {
    const d = await dog({ read_write_split: 'exclude_primary' });
    const c = await client(d);
    for (let i = 0; i < 5; i++) {
      assert.match(name(await port(c, `SELECT inet_server_port() AS p WHERE ${i} >= 0`)), /^r[12]$/);
      const w = await c.query({ text: 'UPDATE items SET note = $1 WHERE id = 1 RETURNING inet_server_port() AS p', values: [`x${i}`] });
      assert.equal(name(Number(w.rows[0].p)), 'primary');
      const r = await c.query({ text: 'SELECT inet_server_port() AS p, $1::int AS v', values: [i] });
      assert.match(name(Number(r.rows[0].p)), /^r[12]$/);
    }
    await c.end();
  });

  it('named statements (pg name:, postgres.js prepare: true) over replicas: each on its role, every result right', async () => {
    const d = await dog({ read_write_split: 'exclude_primary', default_pool_size: 1 });
    const clients = await Promise.all([client(d), client(d), client(d)]);
    const sql = postgres({ host: '127.0.0.1', port: d.port, user: 'app', password: 'secret', database: 'appdb', max: 1, ssl: false, prepare: true, onnotice: () => {} });
    try {
      for (let i = 0; i < 20; i++) {
        await Promise.all(
          clients.map(async (c, k) => {
            // The same names for different statements in each client.
            const r = await c.query({ name: `read${k % 2}`, text: `SELECT inet_server_port() AS p, $1::int + ${k} AS v`, values: [i] });
            assert.match(name(Number(r.rows[0].p)), /^r[12]$/);
            assert.equal(Number(r.rows[0].v), i + k);
            const w = await c.query({ name: `write${k % 2}`, text: 'UPDATE items SET note = $1 WHERE id = $2 RETURNING inet_server_port() AS p, note', values: [`k${k}-${i}`, k + 1] });
            assert.equal(name(Number(w.rows[0].p)), 'primary');
            assert.equal(w.rows[0].note, `k${k}-${i}`);
          }),
        );
        const [r] = await sql`SELECT inet_server_port() AS p, ${i}::int * 2 AS v`;
        assert.match(name(Number(r.p)), /^r[12]$/);
        assert.equal(Number(r.v), i * 2);
        const [w] = await sql`UPDATE items SET note = ${'js' + i} WHERE id = 9 RETURNING inet_server_port() AS p, note`;
        assert.equal(name(Number(w.p)), 'primary');
        assert.equal(w.note, 'js' + i);
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await sql.end({ timeout: 1 });
    }
  });

  it('pipelined statements (postgres.js): a write behind a read never runs on the replica', async () => {
    const d = await dog({ load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' });
    const sql = postgres({ host: '127.0.0.1', port: d.port, user: 'app', password: 'secret', database: 'appdb', max: 1, ssl: false, prepare: false, onnotice: () => {} });
    try {
      for (let round = 0; round < 3; round++) {
        // The write is sent while the read still runs on its replica: it waits for that server to
        // be released, then goes to the primary.
        const read = sql`SELECT inet_server_port() AS p, pg_sleep(0.2)`.execute();
        await new Promise((r) => setTimeout(r, 50));
        const write = sql`INSERT INTO items VALUES (${300 + round}, 'pipe') RETURNING inet_server_port() AS p`.execute();
        const after = sql`SELECT inet_server_port() AS p`.execute();
        const where = (await Promise.all([read, write, after])).map((r) => name(Number(r[0].p)));
        assert.match(where[0], /^r[12]$/);
        assert.equal(where[1], 'primary');
        // Sent in one run, a read and a write share the primary.
        const both = await Promise.all([sql`SELECT inet_server_port() AS p`, sql`DELETE FROM items WHERE id = ${300 + round} RETURNING inet_server_port() AS p`]);
        assert.equal(name(Number(both[1][0].p)), 'primary');
      }
      assert.equal((await sql`SELECT count(*)::int AS n FROM items WHERE id >= 300`)[0].n, 0);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
