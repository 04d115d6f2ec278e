// Checks of the demo's sharded database "pgdog_sharded": where rows sit is asked of each shard
// directly (never through pgdog), with PostgreSQL's own hash partitioning as the oracle for which
// shard a user id belongs to; what pgdog answers across shards is compared with the per-shard
// answers combined by hand and with the unsharded database holding the same rows.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { SHARDED_EXAMPLES } from '../src/demo/sharded-schema.js';

const require = createRequire(import.meta.url);
const pg = require('pg') as {
  Client: new (config: object) => { connect(): Promise<void>; query(text: string, values?: unknown[]): Promise<{ rows: Record<string, string>[] }>; end(): Promise<void> };
};
type Client = InstanceType<typeof pg.Client>;

export interface ShardFacts {
  readonly port: number;
  readonly database: string;
}

export type Psql = (url: string, sql: string) => Promise<string>;

function sh(command: string, cwd: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd, timeout: 60_000 }, (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout }));
  });
}

async function withShards<T>(shards: readonly ShardFacts[], body: (clients: Client[]) => Promise<T>): Promise<T> {
  const clients = shards.map((s) => new pg.Client({ host: '127.0.0.1', port: s.port, user: 'pgdog', password: 'pgdog', database: s.database, ssl: false }));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    // satisfies_hash_partition needs a hash-partitioned table: a temporary one leaves no trace.
    for (const c of clients) await c.query('CREATE TEMP TABLE shard_oracle (k bigint) PARTITION BY HASH (k)');
    return await body(clients);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/** Rows of `table` whose key PostgreSQL's hash partitioning would put on another shard. */
async function misplaced(c: Client, shardCount: number, shard: number, table: string, column: string): Promise<number> {
  const r = await c.query(`SELECT count(*) AS n FROM ${table} WHERE NOT satisfies_hash_partition('shard_oracle'::regclass, $1::int, $2::int, ${column})`, [shardCount, shard]);
  return Number(r.rows[0]!.n);
}

/**
 * `pgdogPort`: where the demo's pgdog listens; `routeLine`: the dry-run command the banner printed,
 * run as printed from `cwd`.
 */
export async function checkShardedDemo(psql: Psql, pgdogPort: number, shards: readonly ShardFacts[], routeLine: string, cwd: string): Promise<void> {
  const sharded = `postgres://pgdog:pgdog@127.0.0.1:${pgdogPort}/pgdog_sharded`;
  const plain = `postgres://pgdog:pgdog@127.0.0.1:${pgdogPort}/pgdog`;
  const n = shards.length;

  await withShards(shards, async (clients) => {
    // Placement: every row on the shard its user id hashes to; countries complete everywhere.
    const counts: { users: number; orders: number }[] = [];
    for (const [i, c] of clients.entries()) {
      const r = await c.query('SELECT (SELECT count(*) FROM countries) AS countries, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM orders) AS orders');
      assert.equal(Number(r.rows[0]!.countries), 12, `shard ${i} holds every country`);
      counts.push({ users: Number(r.rows[0]!.users), orders: Number(r.rows[0]!.orders) });
      assert.equal(await misplaced(c, n, i, 'users', 'id'), 0, `users on shard ${i} that belong elsewhere`);
      assert.equal(await misplaced(c, n, i, 'orders', 'user_id'), 0, `orders on shard ${i} that belong elsewhere`);
    }
    assert.ok(counts.every((k) => k.users > 0 && k.orders > 0), `each shard holds some rows: ${JSON.stringify(counts)}`);
    assert.equal(counts.reduce((s, k) => s + k.users, 0), 300);
    assert.equal(counts.reduce((s, k) => s + k.orders, 0), 1000);
    assert.equal(await psql(sharded, 'SELECT count(*) FROM users'), '300', 'a cross-shard count is the sum of the shards');

    // A cross-shard GROUP BY through pgdog equals the per-shard groups added up.
    const perShard = await Promise.all(clients.map((c) => c.query('SELECT status, count(*) AS n, sum(amount) AS total FROM orders GROUP BY status')));
    const summed = new Map<string, { n: number; cents: number }>();
    for (const r of perShard) {
      for (const row of r.rows) {
        const g = summed.get(row.status!) ?? { n: 0, cents: 0 };
        g.n += Number(row.n);
        g.cents += Math.round(Number(row.total) * 100);
        summed.set(row.status!, g);
      }
    }
    const expected = [...summed.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, g]) => `${s}|${g.n}|${(g.cents / 100).toFixed(2)}`);
    assert.equal(await psql(sharded, 'SELECT status, count(*), sum(amount) FROM orders GROUP BY status ORDER BY status'), expected.join('\n'));

    // A cross-shard ORDER BY / LIMIT through pgdog equals the top rows of all shards together.
    const tops = (await Promise.all(clients.map((c) => c.query('SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 7')))).flatMap((r) => r.rows);
    tops.sort((a, b) => Number(b.amount) - Number(a.amount) || Number(a.id) - Number(b.id));
    assert.equal(await psql(sharded, 'SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 7'), tops.slice(0, 7).map((r) => `${r.id}|${r.amount}`).join('\n'));

    // Every read the banner suggests answers exactly as the unsharded database with the same rows.
    for (const e of SHARDED_EXAMPLES.filter((x) => x.kind === 'read')) {
      const got = await psql(sharded, e.sql);
      assert.ok(got.length > 0, `${e.sql} returned nothing`);
      assert.equal(got, await psql(plain, e.sql), e.sql);
    }
    for (const e of SHARDED_EXAMPLES.filter((x) => x.kind === 'refused')) {
      await assert.rejects(psql(sharded, e.sql), /not supported in a query that spans several shards/, e.sql);
    }

    // The suggested write lands on the shard of its user (42), and only there.
    const write = SHARDED_EXAMPLES.find((x) => x.kind === 'write')!;
    await psql(sharded, write.sql);
    const home = await Promise.all(clients.map(async (c, i) => ({ i, rows: (await c.query('SELECT user_id FROM orders WHERE id = 1001')).rows, ok: (await c.query(`SELECT satisfies_hash_partition('shard_oracle'::regclass, $1::int, $2::int, 42::bigint) AS ok`, [n, i])).rows[0]!.ok })));
    for (const h of home) assert.equal(h.rows.length, h.ok ? 1 : 0, `order 1001 (user 42) on shard ${h.i}: ${JSON.stringify(home)}`);

    // The dry run printed in the banner names that same shard.
    const shardOf42 = home.find((h) => h.ok)!.i;
    const route = await sh(routeLine, cwd);
    assert.equal(route.code, 0, route.stdout);
    assert.match(route.stdout, new RegExp(`route: +shard ${shardOf42}, primary +\\[sharding_key\\]`));
  });
}
