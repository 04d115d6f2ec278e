import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, test } from 'node:test';
import { readdirSync } from 'node:fs';
import { currentSessionDir, processAlive, startPostgres, stopAll, type PgServer } from '../src/index.js';

let pg: PgServer;
before(async () => {
  pg = await startPostgres({ databases: ['app'] });
});
after(() => stopAll());

test('kill() (immediate shutdown) then start() recovers the data on the same port', async () => {
  await pg.query('CREATE TABLE kept (id int)', [], { database: 'app' });
  // Durable commit: with the default synchronous_commit=off a crash may drop the last commits.
  await pg.query('BEGIN; SET LOCAL synchronous_commit = on; INSERT INTO kept SELECT generate_series(1, 1000); COMMIT', undefined, { database: 'app' });
  const port = pg.port;
  const oldPid = pg.pid!;
  await pg.kill();
  assert.equal(pg.pid, null);
  assert.equal(processAlive(oldPid), false);
  await assert.rejects(pg.connect(), /ECONNREFUSED/);
  await pg.start();
  assert.equal(pg.port, port);
  assert.notEqual(pg.pid, oldPid);
  assert.deepEqual(await pg.query('SELECT count(*)::int AS n FROM kept', [], { database: 'app' }), [{ n: 1000 }]);
  assert.match(pg.readLog(), /database system was interrupted|was not properly shut down/);
});

test('stop() is a clean shutdown; restart() keeps data and port', async () => {
  const port = pg.port;
  await pg.stop();
  assert.equal(pg.pid, null);
  assert.match(pg.readLog(), /received fast shutdown request/);
  await pg.start();
  await pg.query('INSERT INTO kept VALUES (-1)', [], { database: 'app' });
  await pg.restart();
  assert.equal(pg.port, port);
  assert.deepEqual(await pg.query('SELECT count(*)::int AS n FROM kept', [], { database: 'app' }), [{ n: 1001 }]);
});

test('start() on a taken port fails with the server log in the error', async () => {
  await pg.stop();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(pg.port, '127.0.0.1', r));
  try {
    await assert.rejects(pg.start(), (err: Error & { bindFailure?: boolean }) => {
      assert.match(err.message, /could not (bind|create any TCP)/);
      assert.equal(err.bindFailure, true, 'startOnFreePort retries on exactly this');
      return true;
    });
  } finally {
    await new Promise((r) => blocker.close(r));
  }
  await pg.start();
  assert.deepEqual(await pg.query('SELECT 1 AS one'), [{ one: 1 }]);
});

test('startPostgres with a failing setting reports the server log and cleans up', async () => {
  const session = currentSessionDir()!;
  const before = readdirSync(session).sort();
  await assert.rejects(startPostgres({ settings: { shared_buffers: 'lots' } }), /invalid value for parameter "shared_buffers"/);
  assert.deepEqual(readdirSync(session).sort(), before);
});
