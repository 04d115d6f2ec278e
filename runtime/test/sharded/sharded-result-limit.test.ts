// cross_shard_result_limit: a statement on several shards whose answers would not fit is stopped on
// every shard and answered with 54000, in the simple and the extended protocol and inside a
// transaction; the connection, and everyone else's, keeps working. A statement on one shard is not
// held (it streams) and is not limited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog } from './support/sharded-pgdog.js';

const require = createRequire(import.meta.url);
const pg = require('pg') as { Client: new (config: object) => PgClient };
interface PgClient {
  connect(): Promise<void>;
  query(cfg: object | string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: string, listener: (arg: unknown) => void): unknown;
}

const LIMIT = 64 * 1024;
const ROWS = 4000;
let pgdog: ShardedPgdog | null = null;

const connect = async (): Promise<PgClient> => {
  const c = new pg.Client({ host: '127.0.0.1', port: pgdog!.port, user: APP_USER, database: 'x', ssl: false });
  c.on('error', () => {});
  await c.connect();
  return c;
};

/** The SQLSTATE a statement fails with (it must fail). */
async function failsWith(c: PgClient, q: object | string, values?: unknown[]): Promise<string> {
  try {
    await c.query(q, values);
  } catch (e) {
    return (e as { code?: string }).code ?? `no code: ${(e as Error).message}`;
  }
  assert.fail(`expected an error from ${JSON.stringify(q)}`);
}

before(async () => {
  const [a, b] = (await startServers(2, SHARD_SERVER_OPTIONS)) as [PgServer, PgServer];
  await createShardDatabases(a, ['x_0']);
  await createShardDatabases(b, ['x_1']);
  pgdog = await startShardedPgdog({
    databases: [{ name: 'x', shards: [{ server: a, database: 'x_0' }, { server: b, database: 'x_1' }], shardingColumn: 'user_id' }],
    users: [{ name: APP_USER, database: 'x' }],
    general: { cross_shard_result_limit: LIMIT },
  });
  const c = await connect();
  await c.query('CREATE TABLE wide (user_id bigint PRIMARY KEY, body text NOT NULL)');
  // About 100 bytes a row: all of them are several times the limit, a few hundred are well under it.
  // A multi-row INSERT: pgdog splits it by row (INSERT ... SELECT has no keys to route by).
  await c.query(`INSERT INTO wide VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, '${'x'.repeat(80)}')`).join(', ')}`);
  await c.end();
});

after(async () => {
  await pgdog?.stop();
  await stopAll();
});

describe('cross_shard_result_limit on 2 shards', () => {
  it('a cross-shard SELECT past the limit gets 54000 (simple and extended); smaller ones and one-shard ones still work', async () => {
    const c = await connect();
    try {
      assert.equal(await failsWith(c, 'SELECT * FROM wide'), '54000');
      assert.equal(Number((await c.query('SELECT count(*) AS n FROM wide')).rows[0]!.n), ROWS);
      assert.equal(await failsWith(c, { text: 'SELECT * FROM wide WHERE user_id > $1', values: [0] }), '54000');
      const some = await c.query({ text: 'SELECT user_id FROM wide WHERE user_id <= $1 ORDER BY user_id', values: [200] });
      assert.deepEqual(some.rows.map((r) => Number(r.user_id)), Array.from({ length: 200 }, (_, i) => i + 1));
      const one = await c.query('SELECT body FROM wide WHERE user_id = 7');
      assert.equal(one.rows[0]!.body, 'x'.repeat(80));
    } finally {
      await c.end();
    }
  });

  it('inside a transaction the statement fails it (25P02 after), ROLLBACK ends it on both shards', async () => {
    const c = await connect();
    try {
      await c.query('BEGIN');
      await c.query("UPDATE wide SET body = 'changed' WHERE user_id <= 10");
      assert.equal(await failsWith(c, 'SELECT * FROM wide ORDER BY user_id'), '54000');
      assert.equal(await failsWith(c, 'SELECT count(*) FROM wide'), '25P02');
      await c.query('ROLLBACK');
      assert.equal(Number((await c.query("SELECT count(*) AS n FROM wide WHERE body = 'changed'")).rows[0]!.n), 0);
    } finally {
      await c.end();
    }
  });

  it('the shards stop: a statement that would stream rows for hours fails at once, and another client was never held up', { timeout: 60_000 }, async () => {
    const c = await connect();
    const other = await connect();
    try {
      const t0 = Date.now();
      const endless = failsWith(c, 'SELECT w.body FROM wide w CROSS JOIN generate_series(1, 1000000) g');
      // Meanwhile another client's statements on both shards are answered as usual.
      for (let i = 0; i < 5; i++) assert.equal(Number((await other.query('SELECT count(*) AS n FROM wide')).rows[0]!.n), ROWS);
      assert.equal(await endless, '54000');
      assert.ok(Date.now() - t0 < 20_000, `took ${Date.now() - t0} ms: the shards were not cancelled`);
      // The connection and its shard connections are usable again.
      assert.equal(Number((await c.query('SELECT count(*) AS n FROM wide')).rows[0]!.n), ROWS);
    } finally {
      await c.end();
      await other.end();
    }
  });
});
