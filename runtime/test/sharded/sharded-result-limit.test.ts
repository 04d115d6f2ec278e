// What a statement on several shards holds in pgdog's memory. A plain scan or an ORDER BY merge
// streams: rows reach the client as their order is decided, and a client that reads slowly holds
// the shards back (their sockets pause; PostgreSQL waits in ClientWrite). What must be held until
// every shard is done (DISTINCT, aggregates, extended-protocol batches) is bounded by
// cross_shard_result_limit: past it the statement is stopped on every shard and answered with
// 54000, in the simple and the extended protocol and inside a transaction; the connection, and
// everyone else's, keeps working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectPg as connectTo, pg, type PgClient } from './support/node-pg.js';
import net from 'node:net';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { onShard } from './support/placement.js';
import { firstError, RawClient, tags } from './support/raw-client.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';


/** Above one socket read (64 KB), below the table (about 400 KB). */
const LIMIT = 256 * 1024;
const ROWS = 4000;
let pgdog: ShardedPgdog | null = null;
let shards: ShardSpec[] = [];

const connect = (): Promise<PgClient> => connectTo(pgdog!.port, APP_USER, 'x');

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
  shards = [{ server: a, database: 'x_0' }, { server: b, database: 'x_1' }];
  pgdog = await startShardedPgdog({
    databases: [{ name: 'x', shards, shardingColumn: 'user_id' }],
    users: [{ name: APP_USER, database: 'x' }],
    general: { cross_shard_result_limit: LIMIT },
  });
  const c = await connect();
  await c.query('CREATE TABLE wide (user_id bigint PRIMARY KEY, body text NOT NULL)');
  // A multi-row INSERT: pgdog splits it by row (INSERT ... SELECT has no keys to route by).
  await c.query(`INSERT INTO wide VALUES ${Array.from({ length: ROWS }, (_, i) => `(${i + 1}, '${'x'.repeat(80)}')`).join(', ')}`);
  await c.end();
});

after(async () => {
  await pgdog?.stop();
  await stopAll();
});

describe('cross-shard results in memory, 2 shards', () => {
  it('a scan and an ORDER BY merge larger than the limit stream in full; held results past it get 54000 (simple and extended)', async () => {
    const c = await connect();
    try {
      assert.equal((await c.query('SELECT * FROM wide')).rows.length, ROWS);
      const ordered = await c.query('SELECT user_id, body FROM wide ORDER BY user_id DESC');
      assert.deepEqual(ordered.rows.map((r) => Number(r.user_id)), Array.from({ length: ROWS }, (_, i) => ROWS - i));
      assert.equal(await failsWith(c, 'SELECT DISTINCT user_id, body FROM wide'), '54000');
      assert.equal(Number((await c.query('SELECT count(*) AS n FROM wide')).rows[0]!.n), ROWS);
      // An extended-protocol batch over several shards is answered whole: it is held.
      assert.equal(await failsWith(c, { text: 'SELECT * FROM wide WHERE user_id > $1', values: [0] }), '54000');
      const some = await c.query({ text: 'SELECT user_id FROM wide WHERE user_id <= $1 ORDER BY user_id', values: [200] });
      assert.deepEqual(some.rows.map((r) => Number(r.user_id)), Array.from({ length: 200 }, (_, i) => i + 1));
      const one = await c.query('SELECT body FROM wide WHERE user_id = 7');
      assert.equal(one.rows[0]!.body, 'x'.repeat(80));
    } finally {
      await c.end();
    }
  });

  it('COPY TO STDOUT larger than the limit streams in full (text and binary)', async () => {
    const client = await RawClient.connect(pgdog!.port, APP_USER, 'x');
    try {
      const text = await client.simple('COPY wide TO STDOUT');
      assert.equal(firstError(text), null);
      assert.deepEqual(tags(text), [`COPY ${ROWS}`]);
      const rows = text.filter((f) => f.code === 'd').map((f) => f.body.toString('utf8')).join('').split('\n').filter((l) => l !== '');
      assert.equal(rows.length, ROWS);
      assert.equal(new Set(rows.map((l) => l.split('\t')[0])).size, ROWS);
      const bin = await client.simple('COPY wide TO STDOUT WITH (FORMAT binary)');
      assert.equal(firstError(bin), null);
      assert.deepEqual(tags(bin), [`COPY ${ROWS}`]);
    } finally {
      client.close();
    }
  });

  it('an ORDER BY merge waits for a slow shard without holding the fast one\'s rows: it is paused, nothing passes the limit', { timeout: 60_000 }, async () => {
    // Shard 1 cannot start until its table lock is released; shard 0 meanwhile has 50 times the
    // limit to send.
    const s1 = shards[1]!;
    const locker = new pg.Client({ host: s1.server.host, port: s1.server.port, user: s1.server.superuser, password: s1.server.superpassword, database: s1.database, ssl: false });
    locker.on('error', () => {});
    await locker.connect();
    const c = await connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE wide IN ACCESS EXCLUSIVE MODE');
      const pending = c.query('SELECT w.user_id, g FROM wide w CROSS JOIN generate_series(1, 50) g ORDER BY w.user_id, g');
      await new Promise((r) => setTimeout(r, 2000));
      await locker.query('COMMIT');
      const r = await pending;
      assert.equal(r.rows.length, ROWS * 50);
      for (let i = 0; i < r.rows.length; i++) {
        const want = [Math.floor(i / 50) + 1, (i % 50) + 1];
        if (Number(r.rows[i]!.user_id) !== want[0] || Number(r.rows[i]!.g) !== want[1]) assert.fail(`row ${i} is ${JSON.stringify(r.rows[i])}, want ${want}`);
      }
    } finally {
      await c.end();
      await locker.end();
    }
  });

  it('inside a transaction the statement fails it (25P02 after), ROLLBACK ends it on both shards', async () => {
    const c = await connect();
    try {
      await c.query('BEGIN');
      await c.query("UPDATE wide SET body = 'changed' WHERE user_id <= 10");
      assert.equal(await failsWith(c, 'SELECT DISTINCT body, user_id FROM wide ORDER BY user_id'), '54000');
      assert.equal(await failsWith(c, 'SELECT count(*) FROM wide'), '25P02');
      await c.query('ROLLBACK');
      assert.equal(Number((await c.query("SELECT count(*) AS n FROM wide WHERE body = 'changed'")).rows[0]!.n), 0);
    } finally {
      await c.end();
    }
  });

  it('the shards stop: a held statement that would run for hours fails at once, and another client was never held up', { timeout: 60_000 }, async () => {
    const c = await connect();
    const other = await connect();
    try {
      const t0 = Date.now();
      // Rows flow at once from both shards (no DISTINCT for PostgreSQL to finish first), and an
      // extended-protocol batch over several shards is held: it passes the limit within moments.
      const endless = failsWith(c, { text: 'SELECT w.body FROM wide w CROSS JOIN generate_series(1, 1000000) g WHERE w.user_id > $1', values: [0] });
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

  it('a client that does not read holds the shards back (ClientWrite), then gets every row', { timeout: 120_000 }, async () => {
    const REPEAT = 200; // 800,000 rows, about 80 MB: far more than any buffer on the way
    const socket = net.connect(pgdog!.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    let pending = Buffer.alloc(0);
    let rows = 0;
    let tag = '';
    let ready = 0;
    let onReady: (() => void) | null = null;
    socket.on('data', (chunk: Buffer) => {
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let p = 0;
      while (buf.length - p >= 5) {
        const len = buf.readInt32BE(p + 1);
        if (buf.length - p < len + 1) break;
        const code = buf[p];
        if (code === 0x44) rows++;
        else if (code === 0x43) tag = buf.toString('utf8', p + 5, p + len);
        else if (code === 0x45) tag = `error: ${buf.toString('utf8', p + 5, p + len)}`;
        else if (code === 0x5a) {
          ready++;
          onReady?.();
        }
        p += len + 1;
      }
      buf = buf.subarray(p);
      pending = Buffer.from(buf);
    });
    const nextReady = (): Promise<void> => new Promise((resolve) => {
      const want = ready + 1;
      onReady = () => {
        if (ready >= want) resolve();
      };
    });
    const startupBody = Buffer.from(`user\0${APP_USER}\0database\0x\0\0`, 'utf8');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + startupBody.length);
    startup.writeInt32BE(196608, 4);
    let wait = nextReady();
    socket.write(Buffer.concat([startup, startupBody]));
    await wait;
    const sql = `SELECT w.user_id, w.body FROM wide w CROSS JOIN generate_series(1, ${REPEAT}) g`;
    const q = Buffer.from(`Q\0\0\0\0${sql}\0`, 'utf8');
    q.writeInt32BE(q.length - 1, 1);
    wait = nextReady();
    socket.write(q);
    socket.pause();
    try {
      // Not reading: once the buffers on the way are full, both shards wait to send, and still do
      // seconds later (read at full speed, their 40 MB each would be sent within about a second).
      await new Promise((r) => setTimeout(r, 2500));
      let blocked = 0;
      // Up to 40 s more: with the whole suite running on two cores, a shard's backend may need that
      // long to produce the megabytes that fill the socket buffers before it waits in ClientWrite.
      for (let i = 0; i < 200 && blocked < 2; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        blocked = 0;
        for (const s of shards) {
          const r = await onShard<{ n: string }>(s, "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND wait_event = 'ClientWrite' AND query LIKE '%generate_series%'");
          blocked += Number(r[0]!.n) > 0 ? 1 : 0;
        }
      }
      assert.equal(blocked, 2, 'both shards should be waiting on pgdog while the client does not read');
    } finally {
      socket.resume();
    }
    await wait;
    assert.equal(tag, `SELECT ${ROWS * REPEAT}`);
    assert.equal(rows, ROWS * REPEAT);
    socket.end();
  });
});
