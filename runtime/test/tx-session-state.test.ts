// Session state in transaction mode, through `pgdog serve`: 500 clients over two server
// connections each keep their own search_path / TimeZone / application_name / custom GUC; temp
// tables and session advisory locks pin their client; a client that vanishes mid-transaction
// leaves no lock and no state behind.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pg as pgDriver, pgConnect, sleep, startPgdog, within, type Pgdog, type PgClient } from './e2e-harness.js';

const USER = { name: 'app', password: 'secret', database: 'appdb' };
const ZONES = ['UTC', 'Europe/Paris', 'Asia/Tokyo', 'America/New_York', 'Australia/Sydney'];

describe('transaction mode: session parameters, pinning, handover', { timeout: 120_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'md5' }], databases: [{ name: 'appdb', owner: 'app' }] });
    const c = await pg.connect('app', 'secret', 'appdb');
    for (let s = 0; s < 5; s++) await c.query(`CREATE SCHEMA s${s}; CREATE TABLE s${s}.marker AS SELECT ${s} AS n`);
    await c.query('CREATE TABLE rows (id int PRIMARY KEY, v int); INSERT INTO rows VALUES (1, 0)');
    await c.end();
    dog = await startPgdog({ general: { default_pool_size: 2, checkout_timeout: 30_000, auth_type: 'md5', rollback_timeout: 1000 }, databases: [{ name: 'appdb', port: pg.port }], users: [USER] });
  });
  after(async () => {
    await dog?.stop();
    await stopAll();
  });

  const connect = (extra: object = {}): Promise<PgClient> => pgConnect({ ...dog.config('app', 'secret', 'appdb'), ...extra });

  it('the greeting reports the startup values; SHOW / current_setting return them on any server', async () => {
    const statuses = new Map<string, string>();
    const c = await pgConnect({ ...dog.config('app', 'secret', 'appdb'), application_name: 'greeter', options: '-c TimeZone=Asia/Tokyo -c search_path=s3' });
    c.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => statuses.set(m.parameterName, m.parameterValue));
    try {
      // Values seen during connect came before our listener; ask for what the client was told.
      const r = await c.query("SELECT current_setting('application_name') AS a, current_setting('TimeZone') AS tz, (SELECT n FROM marker) AS n");
      assert.deepEqual(r.rows[0], { a: 'greeter', tz: 'Asia/Tokyo', n: 3 });
      assert.equal((await c.query('SHOW search_path')).rows[0].search_path, 's3');
      assert.equal(statuses.get('application_name'), undefined, 'the sync on the server is not reported to the client');
    } finally {
      await c.end();
    }
    const seen = new Map<string, string>();
    const raw = new pgDriver.Client({ ...dog.config('app', 'secret', 'appdb'), ssl: false, application_name: 'greeter2', options: '-c TimeZone=Europe/Paris' });
    raw.connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => seen.set(m.parameterName, m.parameterValue));
    await raw.connect();
    await raw.end();
    assert.equal(seen.get('application_name'), 'greeter2');
    assert.equal(seen.get('TimeZone'), 'Europe/Paris');
  });

  it('500 clients interleaved over default_pool_size = 2 each see only their own parameters after every query', async () => {
    const clients: { c: PgClient; i: number }[] = [];
    for (let batch = 0; batch < 5; batch++) {
      const made = await Promise.all(
        Array.from({ length: 100 }, (_, k) => {
          const i = batch * 100 + k;
          // Half set search_path at startup, half with SET; all set the rest with SET.
          const startup = i % 2 === 0 ? { application_name: `c${i}`, options: `-c search_path=s${i % 5}` } : { application_name: `c${i}` };
          return connect(startup).then((c) => ({ c, i }));
        }),
      );
      clients.push(...made);
    }
    const check = async (c: PgClient, i: number, round: number): Promise<void> => {
      const r = await c.query("SELECT current_setting('application_name') AS a, current_setting('TimeZone') AS tz, current_setting('app.who', true) AS who, (SELECT n FROM marker) AS n");
      const want = { a: round === 0 ? `c${i}` : `c${i}-r${round}`, tz: ZONES[(i + round) % ZONES.length], who: `w${i}.${round}`, n: (i + round) % 5 };
      assert.deepEqual(r.rows[0], want, `client ${i} round ${round}`);
    };
    try {
      await Promise.all(
        clients.map(async ({ c, i }) => {
          for (let round = 0; round < 3; round++) {
            if (round > 0) await c.query(`SET application_name = 'c${i}-r${round}'`);
            if (round > 0 || i % 2 === 1) await c.query(`SET search_path TO s${(i + round) % 5}`);
            await c.query(`SET TimeZone = '${ZONES[(i + round) % ZONES.length]}'; SET app.who = 'w${i}.${round}'`);
            await check(c, i, round);
            // A SET LOCAL and a rolled-back SET leave nothing behind.
            await c.query("BEGIN; SET LOCAL app.who = 'local'; SET search_path TO public; ROLLBACK");
            await check(c, i, round);
          }
        }),
      );
    } finally {
      await Promise.all(clients.map(({ c }) => c.end()));
    }
    // RESET returns to the startup value.
    const c = await connect({ application_name: 'resetter', options: '-c search_path=s4' });
    try {
      await c.query('SET search_path TO s1; SET application_name = x');
      await c.query('SELECT 1');
      await c.query('RESET search_path');
      await c.query('RESET ALL');
      const r = await c.query("SELECT current_setting('application_name') AS a, (SELECT n FROM marker) AS n");
      assert.deepEqual(r.rows[0], { a: 'resetter', n: 4 });
    } finally {
      await c.end();
    }
  });

  it('a temp table pins its client to its server until it disconnects; the next user sees none of it', async () => {
    const a = await connect();
    const others = await Promise.all([connect(), connect(), connect()]);
    let pid: number;
    try {
      await a.query('CREATE TEMP TABLE mine (x int)');
      pid = Number((await a.query('SELECT pg_backend_pid() AS p')).rows[0].p);
      for (let i = 0; i < 5; i++) {
        await Promise.all(others.map((o) => o.query('SELECT pg_sleep(0.01)')));
        await a.query(`INSERT INTO mine VALUES (${i})`);
        assert.equal(Number((await a.query('SELECT pg_backend_pid() AS p')).rows[0].p), pid);
      }
      assert.equal(Number((await a.query('SELECT count(*) AS n FROM mine')).rows[0].n), 5);
      for (const o of others) assert.notEqual(Number((await o.query('SELECT pg_backend_pid() AS p')).rows[0].p), pid, 'the pinned server serves nobody else');
    } finally {
      await a.end();
    }
    // The pinned server was reset (DISCARD ALL) before going back: its temp schema is empty.
    await sleep(100);
    for (let i = 0; i < 4; i++) {
      const r = await others[i % 3].query("SELECT pg_backend_pid() AS p, (SELECT count(*) FROM pg_class WHERE relname = 'mine' AND relpersistence = 't')::int AS n");
      assert.equal(r.rows[0].n, 0);
    }
    await Promise.all(others.map((o) => o.end()));
  });

  it('a session advisory lock pins its client; it is released when the client goes', async () => {
    const a = await connect();
    const b = await connect();
    try {
      assert.equal((await a.query('SELECT pg_advisory_lock(4242)')).rowCount, 1);
      for (let i = 0; i < 3; i++) assert.equal((await b.query('SELECT pg_try_advisory_lock(4242) AS ok')).rows[0].ok, false);
      assert.equal((await a.query('SELECT pg_advisory_unlock(4242) AS ok')).rows[0].ok, true, 'same session holds it');
      await a.query('SELECT pg_advisory_lock(4243)');
    } finally {
      await a.end();
    }
    await sleep(100);
    const r = await b.query('SELECT pg_try_advisory_lock(4243) AS ok');
    assert.equal(r.rows[0].ok, true);
    await b.query('SELECT pg_advisory_unlock_all()');
    await b.end();
  });

  it('a client that disconnects mid-transaction: another updates the same row without waiting', async () => {
    for (const how of ['destroy', 'error'] as const) {
      const a = await connect();
      await a.query('BEGIN');
      await a.query('UPDATE rows SET v = v + 1 WHERE id = 1');
      await a.query("SET app.leak = 'yes'");
      if (how === 'destroy') a.connection.stream.destroy();
      else a.connection.stream.end(Buffer.from([0x51, 0, 0, 0, 3])); // a malformed Query: pgdog ends the client
      const b = await connect();
      try {
        const t0 = Date.now();
        await within(b.query("SET statement_timeout = '5s'; UPDATE rows SET v = 100 WHERE id = 1"), 5000, 'update');
        assert.ok(Date.now() - t0 < 1000, `row lock held ${Date.now() - t0} ms`);
        const r = await b.query("SELECT v, current_setting('app.leak', true) AS leak FROM rows WHERE id = 1");
        assert.equal(r.rows[0].v, 100);
        assert.ok(r.rows[0].leak === null || r.rows[0].leak === '', `leaked ${r.rows[0].leak}`);
      } finally {
        await b.end();
      }
    }
  });
});
