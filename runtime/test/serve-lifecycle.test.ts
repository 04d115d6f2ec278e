// startServer's lifecycle: graceful shutdown lets a transaction in flight finish while new
// connections are refused, shutdown_timeout ends the stragglers, and max_client_connections
// refuses extra clients cleanly.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { probeAuth, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, sleep, startPgdog, type PgClient } from './e2e-harness.js';

type PgError = Error & { code?: string };

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

function whenEnded(c: PgClient): { ended: Promise<void>; errors: PgError[] } {
  const errors: PgError[] = [];
  c.on('error', (e: PgError) => errors.push(e));
  return { ended: new Promise((resolve) => c.on('end', () => resolve())), errors };
}

describe('startServer lifecycle', { timeout: 180_000 }, () => {
  let pg: PgServer;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    await pg.query('CREATE TABLE done (x int)', [], { database: 'appdb' });
    await pg.query('ALTER TABLE done OWNER TO app', [], { database: 'appdb' });
  });
  after(() => stopAll());

  const common = () => ({ databases: [{ name: 'appdb', port: pg.port }], users: [{ name: 'app', password: 'secret', database: 'appdb' }] });

  it('graceful shutdown: the transaction in flight finishes, idle clients and new connections are turned away', async () => {
    const dog = await startPgdog({ ...common(), general: { shutdown_timeout: 10_000 } });
    const busy = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const idle = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const busyEnd = whenEnded(busy);
    const idleEnd = whenEnded(idle);
    await busy.query('begin');
    await busy.query('insert into done values (1)');
    let closed = false;
    const closing = dog.server.close(true).then(() => {
      closed = true;
    });
    await idleEnd.ended;
    assert.equal(idleEnd.errors[0]?.code, '57P01');
    assert.equal(await refused(dog.port), true, 'no new connections during shutdown');
    await busy.query('insert into done values (2)');
    await sleep(100);
    assert.equal(closed, false, 'shutdown waits for the open transaction');
    await busy.query('commit');
    await busyEnd.ended;
    assert.equal(busyEnd.errors[0]?.code, '57P01');
    await closing;
    const rows = await pg.query<{ n: number }>('select count(*)::int as n from done where x in (1, 2)', [], { database: 'appdb' });
    assert.equal(rows[0].n, 2, 'the transaction committed');
    await dog.stop();
  });

  it('shutdown_timeout: a transaction that does not finish is cut off and rolled back', async () => {
    const dog = await startPgdog({ ...common(), general: { shutdown_timeout: 400 } });
    const stuck = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const stuckEnd = whenEnded(stuck);
    await stuck.query('begin');
    await stuck.query('insert into done values (99)');
    const t0 = Date.now();
    await dog.server.close(true);
    await stuckEnd.ended;
    const waited = Date.now() - t0;
    assert.ok(waited >= 350 && waited < 5000, `waited ${waited} ms`);
    assert.equal(stuckEnd.errors[0]?.code, '57P01');
    const rows = await pg.query<{ n: number }>('select count(*)::int as n from done where x = 99', [], { database: 'appdb' });
    assert.equal(rows[0].n, 0);
    await dog.stop();
  });

  it('max_client_connections: the next client gets 53300, a freed slot is reused, cancels still get in', async () => {
    const dog = await startPgdog({ ...common(), general: { max_client_connections: 2 } });
    const a = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const b = await pgConnect(dog.config('app', 'secret', 'appdb'));
    const third = await probeAuth(dog.config('app', 'secret', 'appdb'));
    assert.equal(third.ok, false);
    assert.equal(third.error?.code, '53300');
    assert.equal(third.error?.message, 'sorry, too many clients already');
    // A CancelRequest is not a client: it reaches a's query even with every slot taken.
    const sleeping = a.query('select pg_sleep(20)').then(() => null, (e: PgError) => e.code);
    await sleep(200);
    await new Promise<void>((resolve) => {
      const s = net.connect(dog.port, '127.0.0.1', () => {
        const m = Buffer.alloc(16);
        m.writeInt32BE(16, 0);
        m.writeInt32BE(80877102, 4);
        m.writeInt32BE(a.processID, 8);
        m.writeInt32BE(a.secretKey, 12);
        s.end(m);
      });
      s.on('close', () => resolve());
      s.resume();
    });
    assert.equal(await sleeping, '57014');
    await b.end();
    await sleep(50);
    const c = await pgConnect(dog.config('app', 'secret', 'appdb'));
    assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
    assert.equal(dog.server.stats().clients, 2);
    await a.end();
    await c.end();
    await dog.stop();
  });
});
