// Issue 7: the extended protocol on a sharded database, with the drivers applications use.
// postgres.js (prepare: true: Parse + Describe + Flush, then Bind + Execute + Sync, pipelined) and
// node-postgres named statements run point lookups, cross-shard aggregates and ordered pages,
// writes and transactions over both shards; every answer is checked against values the test
// computes itself, and where rows went is read back from each shard directly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPg as connectTo, pg, type PgClient } from './support/node-pg.js';
import postgres from 'postgres';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { createHashOracle, onShard, shardOfKey } from './support/placement.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';


let pgdog: ShardedPgdog | null = null;
let shards: ShardSpec[] = [];
const KEYS = 200;
/** balance of user k is k * 10; shard of each key by PostgreSQL's own hash. */
const shardOf = new Map<number, number>();

const connectPg = (): Promise<PgClient> => connectTo(pgdog!.port, APP_USER, 'x');
const sqlClient = (max: number): postgres.Sql => postgres({ host: '127.0.0.1', port: pgdog!.port, user: APP_USER, database: 'x', max, ssl: false, onnotice: () => {} });

before(async () => {
  const [a, b] = (await startServers(2, SHARD_SERVER_OPTIONS)) as [PgServer, PgServer];
  await createShardDatabases(a, ['x_0']);
  await createShardDatabases(b, ['x_1']);
  shards = [{ server: a, database: 'x_0' }, { server: b, database: 'x_1' }];
  await createHashOracle(shards);
  pgdog = await startShardedPgdog({ databases: [{ name: 'x', shards, shardingColumn: 'user_id', omnisharded: ['plans'] }], users: [{ name: APP_USER, database: 'x' }] });
  const c = await connectPg();
  await c.query('CREATE TABLE accounts (user_id bigint PRIMARY KEY, balance bigint NOT NULL, note text)');
  await c.query('CREATE TABLE plans (id int PRIMARY KEY, name text)');
  await c.query("INSERT INTO plans VALUES (1, 'basic'), (2, 'pro')");
  const values: string[] = [];
  for (let k = 1; k <= KEYS; k++) {
    values.push(`(${k}, ${k * 10}, ${k % 7 === 0 ? 'NULL' : `'n${k}'`})`);
    shardOf.set(k, await shardOfKey(shards, k));
  }
  await c.query(`INSERT INTO accounts (user_id, balance, note) VALUES ${values.join(', ')}`);
  await c.end();
});

after(async () => {
  await pgdog?.stop();
  await stopAll();
});

describe('extended protocol on 2 shards', () => {
  it('postgres.js (prepare: true), 8 connections, 1,600 pipelined queries of 5 shapes: every answer right', async () => {
    const sql = sqlClient(8);
    try {
      const checks: Promise<void>[] = [];
      for (let i = 0; i < 1600; i++) {
        const k = 1 + ((i * 37) % KEYS);
        switch (i % 5) {
          case 0:
            checks.push(sql`SELECT balance FROM accounts WHERE user_id = ${k}`.then((r) => assert.equal(Number(r[0]!.balance), k * 10)));
            break;
          case 1:
            checks.push(sql`SELECT count(*) AS n, sum(balance) AS s FROM accounts WHERE balance >= ${k * 10}`.then((r) => {
              const n = KEYS - k + 1;
              assert.deepEqual([Number(r[0]!.n), Number(r[0]!.s)], [n, 10 * ((KEYS * (KEYS + 1)) / 2 - ((k - 1) * k) / 2)]);
            }));
            break;
          case 2:
            checks.push(sql`SELECT user_id FROM accounts WHERE user_id > ${k} ORDER BY balance DESC LIMIT ${3} OFFSET ${1}`.then((r) => {
              const expected = [KEYS - 1, KEYS - 2, KEYS - 3].filter((x) => x > k);
              assert.deepEqual(r.map((x) => Number(x.user_id)), expected);
            }));
            break;
          case 3:
            checks.push(sql`SELECT a.user_id, p.name FROM accounts a JOIN plans p ON p.id = 1 + (a.user_id % 2) WHERE a.user_id = ${k}`.then((r) => {
              assert.deepEqual(r.map((x) => [Number(x.user_id), x.name]), [[k, k % 2 === 0 ? 'basic' : 'pro']]);
            }));
            break;
          default:
            checks.push(sql`SELECT count(*) AS n FROM accounts WHERE note IS NULL AND user_id <= ${k}`.then((r) => assert.equal(Number(r[0]!.n), Math.floor(k / 7))));
        }
      }
      await Promise.all(checks);
    } finally {
      await sql.end();
    }
  });

  it('node-postgres named statements: parsed once, bound later to either shard; Close and re-Parse of a name', async () => {
    const c = await connectPg();
    try {
      for (let k = 1; k <= 40; k++) {
        const r = await c.query({ name: 'by_key', text: 'SELECT balance, note FROM accounts WHERE user_id = $1', values: [k] });
        assert.equal(Number(r.rows[0]!.balance), k * 10);
        const t = await c.query({ name: 'total', text: 'SELECT sum(balance) AS s FROM accounts WHERE user_id <= $1', values: [k] });
        assert.equal(Number(t.rows[0]!.s), (10 * k * (k + 1)) / 2);
      }
    } finally {
      await c.end();
    }
  });

  it('writes with bind parameters: keyed UPDATE on its shard, keyless UPDATE on both with summed count', async () => {
    const c = await connectPg();
    try {
      const k = 5;
      const r = await c.query('UPDATE accounts SET note = $1 WHERE user_id = $2', ['one', k]);
      assert.equal(r.rowCount, 1);
      const own = await onShard<{ note: string }>(shards[shardOf.get(k)!]!, 'SELECT note FROM accounts WHERE user_id = $1', [k]);
      assert.equal(own[0]!.note, 'one');
      const all = await c.query('UPDATE accounts SET note = $1 WHERE user_id > $2 RETURNING user_id', ['tail', KEYS - 10]);
      assert.equal(all.rowCount, 10);
      assert.deepEqual(all.rows.map((x) => Number(x.user_id)).sort((x, y) => x - y), Array.from({ length: 10 }, (_, i) => KEYS - 9 + i));
    } finally {
      await c.end();
    }
  });

  it('a multi-row INSERT with Bind parameters is split: each shard gets its rows with their values renumbered', async () => {
    const c = await connectPg();
    try {
      const keys = [KEYS + 1, KEYS + 2, KEYS + 3, KEYS + 4, KEYS + 5];
      const r = await c.query(
        `INSERT INTO accounts (user_id, balance, note) VALUES ${keys.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ')} RETURNING user_id`,
        keys.flatMap((k) => [k, k * 10, `split '$1' ${k}`]),
      );
      assert.equal(r.rowCount, keys.length);
      for (const k of keys) {
        const own = await onShard<{ balance: string; note: string }>(shards[await shardOfKey(shards, k)]!, 'SELECT balance, note FROM accounts WHERE user_id = $1', [k]);
        assert.deepEqual(own.map((x) => [Number(x.balance), x.note]), [[k * 10, `split '$1' ${k}`]], `user ${k}`);
      }
      const del = await c.query('DELETE FROM accounts WHERE user_id > $1', [KEYS]);
      assert.equal(del.rowCount, keys.length);
    } finally {
      await c.end();
    }
  });

  it('INSERT without a column list: the live column order places each row (simple and extended, one and several rows)', async () => {
    const c = await connectPg();
    try {
      const [a, b] = [KEYS + 11, KEYS + 12];
      const rows = [KEYS + 13, KEYS + 14, KEYS + 15, KEYS + 16, KEYS + 17];
      assert.equal(new Set(await Promise.all(rows.map((k) => shardOfKey(shards, k)))).size, 2, 'rows for both shards');
      await c.query(`INSERT INTO accounts VALUES (${a}, 1, 'positional')`);
      await c.query('INSERT INTO accounts VALUES ($1, $2, $3)', [b, 2, 'positional']);
      const multi = await c.query(`INSERT INTO accounts VALUES ${rows.map((k) => `(${k}, 3, 'positional')`).join(', ')}`);
      assert.equal(multi.rowCount, rows.length);
      for (const k of [a, b, ...rows]) {
        const where = await Promise.all(shards.map((s) => onShard<{ n: string }>(s, 'SELECT count(*) AS n FROM accounts WHERE user_id = $1', [k])));
        const expected = [0, 0];
        expected[await shardOfKey(shards, k)] = 1;
        assert.deepEqual(where.map((r) => Number(r[0]!.n)), expected, `user ${k}`);
      }
      // A schema change moves the key: the next INSERT sees the new order, not a remembered one.
      await c.query('CREATE TABLE moved (note text, user_id bigint)');
      await c.query(`INSERT INTO moved VALUES ('x', ${a})`);
      const placed = await onShard<{ n: string }>(shards[await shardOfKey(shards, a)]!, 'SELECT count(*) AS n FROM moved WHERE user_id = $1', [a]);
      assert.equal(Number(placed[0]!.n), 1);
      await c.query('DROP TABLE moved');
      await c.query('CREATE TABLE moved (user_id bigint, note text)');
      await c.query(`INSERT INTO moved VALUES (${b}, 'y')`);
      const again = await onShard<{ n: string }>(shards[await shardOfKey(shards, b)]!, 'SELECT count(*) AS n FROM moved WHERE user_id = $1', [b]);
      assert.equal(Number(again[0]!.n), 1);
      await c.query('DROP TABLE moved');
      await c.query('DELETE FROM accounts WHERE user_id > $1', [KEYS]);
    } finally {
      await c.end();
    }
  });

  it('a transaction over both shards through postgres.js commits on both; a failed one rolls back on both', async () => {
    const sql = sqlClient(2);
    const [k0, k1] = [[...shardOf].find(([, s]) => s === 0)![0], [...shardOf].find(([, s]) => s === 1)![0]];
    try {
      await sql.begin(async (tx) => {
        await tx`UPDATE accounts SET balance = balance + ${1} WHERE user_id = ${k0}`;
        await tx`UPDATE accounts SET balance = balance + ${1} WHERE user_id = ${k1}`;
        const r = await tx`SELECT sum(balance) AS s FROM accounts WHERE user_id IN (${k0}, ${k1})`;
        assert.equal(Number(r[0]!.s), (k0 + k1) * 10 + 2);
      });
      await assert.rejects(sql.begin(async (tx) => {
        await tx`UPDATE accounts SET balance = balance + ${100} WHERE user_id = ${k0}`;
        await tx`UPDATE accounts SET balance = balance + ${100} WHERE user_id = ${k1}`;
        await tx`SELECT 1 / ${0}::int AS boom`;
      }), /division by zero/);
      for (const k of [k0, k1]) {
        const r = await onShard<{ balance: string }>(shards[shardOf.get(k)!]!, 'SELECT balance FROM accounts WHERE user_id = $1', [k]);
        assert.equal(Number(r[0]!.balance), k * 10 + 1, `user ${k}`);
      }
      // The connection (and its pooled servers) is clean afterwards.
      const r = await sql`SELECT count(*) AS n FROM accounts`;
      assert.equal(Number(r[0]!.n), KEYS);
    } finally {
      await sql.end();
    }
  });

  it('inside a failed transaction statements get 25P02 until ROLLBACK (extended protocol)', async () => {
    const c = await connectPg();
    try {
      await c.query('BEGIN');
      await c.query('SELECT count(*) FROM accounts WHERE balance > $1', [0]);
      await assert.rejects(c.query('SELECT 1 / $1::int', [0]), /division by zero/);
      await assert.rejects(c.query('SELECT count(*) FROM accounts WHERE balance > $1', [0]), (e: { code?: string }) => e.code === '25P02');
      await c.query('ROLLBACK');
      const r = await c.query('SELECT count(*) AS n FROM accounts WHERE balance > $1', [0]);
      assert.equal(Number(r.rows[0]!.n), KEYS);
    } finally {
      await c.end();
    }
  });

  it('a shard connection lost inside a transaction: COMMIT fails at once with 08006, nothing is committed anywhere, the client goes on', async () => {
    const c = await connectPg();
    const [k0, k1] = [[...shardOf].find(([, s]) => s === 0)![0], [...shardOf].find(([, s]) => s === 1)![0]];
    try {
      await c.query('BEGIN');
      await c.query('UPDATE accounts SET note = $1 WHERE user_id = $2', ['lost', k0]);
      await c.query('UPDATE accounts SET note = $1 WHERE user_id = $2', ['lost', k1]);
      const killed = await onShard<{ ok: boolean }>(shards[1]!, "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = 'x_1' AND state = 'idle in transaction'");
      assert.deepEqual(killed.map((r) => r.ok), [true]);
      await new Promise((r) => setTimeout(r, 200));
      await assert.rejects(c.query('COMMIT'), (e: { code?: string }) => e.code === '08006');
      for (const k of [k0, k1]) {
        const r = await onShard<{ note: string | null }>(shards[shardOf.get(k)!]!, 'SELECT note FROM accounts WHERE user_id = $1', [k]);
        assert.notEqual(r[0]!.note, 'lost', `user ${k}`);
      }
      const r = await c.query('SELECT count(*) AS n FROM accounts WHERE balance > $1', [0]);
      assert.equal(Number(r.rows[0]!.n), KEYS);
    } finally {
      await c.end();
    }
  });

  it('a CancelRequest stops a statement running on both shards (57014), and the client goes on', async () => {
    const sql = sqlClient(1);
    try {
      const started = Date.now();
      const q = sql`SELECT user_id FROM accounts WHERE pg_sleep(${0.05}) IS NOT NULL`;
      setTimeout(() => void q.cancel(), 300);
      await assert.rejects(q, (e: { code?: string }) => e.code === '57014');
      // Both shards would sleep about 5 s; the cancel reached both.
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
      const r = await sql`SELECT count(*) AS n FROM accounts WHERE balance > ${0}`;
      assert.equal(Number(r[0]!.n), KEYS);
    } finally {
      await sql.end();
    }
  });

  it('shards a transaction reaches later open it with the client\'s BEGIN options', async () => {
    const c = await connectPg();
    const [k0, k1] = [[...shardOf].find(([, s]) => s === 0)![0], [...shardOf].find(([, s]) => s === 1)![0]];
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const levels: unknown[] = [];
      for (const k of [k0, k1, k0]) {
        const r = await c.query(`SELECT current_setting('transaction_isolation') AS iso, current_setting('transaction_read_only') AS ro FROM accounts WHERE user_id = ${k}`);
        levels.push([r.rows[0]!.iso, r.rows[0]!.ro]);
      }
      assert.deepEqual(levels, [['repeatable read', 'on'], ['repeatable read', 'on'], ['repeatable read', 'on']]);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
  });

  it('query_timeout and client_idle_in_transaction_timeout cover statements and transactions over both shards', async () => {
    const idle = await startShardedPgdog({ databases: [{ name: 'x', shards, shardingColumn: 'user_id' }], users: [{ name: APP_USER, database: 'x' }], general: { client_idle_in_transaction_timeout: 400, query_timeout: 300 } });
    {
      // Both shards would sleep about 5 s: query_timeout cancels both.
      const q = new pg.Client({ host: '127.0.0.1', port: idle.port, user: APP_USER, database: 'x', ssl: false });
      q.on('error', () => {});
      await q.connect();
      const started = Date.now();
      await assert.rejects(q.query('SELECT user_id FROM accounts WHERE pg_sleep(0.05) IS NOT NULL'), (e: { code?: string }) => e.code === '57014');
      assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
      assert.equal(Number((await q.query('SELECT count(*) AS n FROM accounts')).rows[0]!.n), KEYS);
      await q.end();
    }
    const [k0, k1] = [[...shardOf].find(([, s]) => s === 0)![0], [...shardOf].find(([, s]) => s === 1)![0]];
    const c = new pg.Client({ host: '127.0.0.1', port: idle.port, user: APP_USER, database: 'x', ssl: false });
    const errors: unknown[] = [];
    c.on('error', (e) => errors.push(e));
    await c.connect();
    try {
      await c.query('BEGIN');
      await c.query(`UPDATE accounts SET note = 'held' WHERE user_id = ${k0}`);
      await c.query(`UPDATE accounts SET note = 'held' WHERE user_id = ${k1}`);
      await new Promise((r) => setTimeout(r, 1500));
      await assert.rejects(c.query('SELECT 1'));
      assert.match(String((errors[0] as Error | undefined)?.message ?? ''), /idle-in-transaction timeout/);
      // Both shards rolled back and released the locks: another client updates the rows at once.
      const other = await connectPg();
      try {
        await other.query("SET statement_timeout = '2s'");
        for (const k of [k0, k1]) assert.equal((await other.query(`UPDATE accounts SET note = note WHERE user_id = ${k}`)).rowCount, 1);
        const r = await other.query(`SELECT count(*) AS n FROM accounts WHERE note = 'held'`);
        assert.equal(Number(r.rows[0]!.n), 0);
      } finally {
        await other.end();
      }
    } finally {
      await c.end().catch(() => {});
      await idle.stop();
    }
  });

  it('SET through the extended protocol is tracked like a simple one: every shard the client reaches sees it', async () => {
    const c = await connectPg();
    const [k0, k1] = [[...shardOf].find(([, s]) => s === 0)![0], [...shardOf].find(([, s]) => s === 1)![0]];
    try {
      await c.query({ text: "SET application_name = 'ext-set'", values: [] as unknown[], queryMode: 'extended' } as object);
      for (const k of [k0, k1, k0]) {
        const r = await c.query('SELECT current_setting($1) AS v FROM accounts WHERE user_id = $2', ['application_name', k]);
        assert.equal(r.rows[0]!.v, 'ext-set', `user ${k}`);
      }
      const all = await c.query("SELECT count(*) AS n FROM accounts WHERE current_setting('application_name') = $1", ['ext-set']);
      assert.equal(Number(all.rows[0]!.n), KEYS);
    } finally {
      await c.end();
    }
  });

  it('what cannot run across shards is refused with a clear error, and the connection keeps working', async () => {
    const c = await connectPg();
    try {
      // PostgreSQL itself refuses parameters in SET.
      await assert.rejects(c.query('SET search_path = $1', ['public']), /syntax/);
      await assert.rejects(c.query('SELECT user_id, row_number() OVER (ORDER BY balance) FROM accounts WHERE balance > $1', [0]), (e: { code?: string }) => e.code === '0A000');
      const r = await c.query('SELECT count(*) AS n FROM accounts WHERE balance > $1', [0]);
      assert.equal(Number(r.rows[0]!.n), KEYS);
    } finally {
      await c.end();
    }
  });
});
