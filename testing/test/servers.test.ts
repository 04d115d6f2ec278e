import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { childPids, processAlive, startServers, stopAll, type PgServer } from '../src/index.js';

const run = promisify(execFile);

test('four servers start in parallel and each accepts connections', async () => {
  // Timed from a cold process: includes the template initdb. Printed, not asserted.
  const t0 = performance.now();
  const servers = await startServers(4);
  await Promise.all(servers.map((s) => s.query('SELECT 1')));
  const coldMs = performance.now() - t0;

  const t1 = performance.now();
  const warm = await startServers(4);
  await Promise.all(warm.map((s) => s.query('SELECT 1')));
  const warmMs = performance.now() - t1;
  console.log(`startup: 4 servers cold (incl. template initdb) ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(0)} ms`);

  const all = [...servers, ...warm];
  assert.equal(new Set(all.map((s) => s.port)).size, 8, 'distinct ports');
  assert.equal(new Set(all.map((s) => s.dataDir)).size, 8, 'distinct data dirs');
  for (const s of all) {
    const client = await s.connect();
    const res = await client.query<{ port: string; addr: string }>(
      "SELECT current_setting('port') AS port, inet_server_addr()::text AS addr",
    );
    await client.end();
    assert.deepEqual(res.rows[0], { port: String(s.port), addr: '127.0.0.1/32' });
  }
  // Writes on one server are invisible on another: they are separate clusters.
  await all[0].query('CREATE TABLE only_here (x int)');
  assert.deepEqual(await all[1].query("SELECT to_regclass('only_here') AS t"), [{ t: null }]);
  await Promise.all(warm.map((s) => s.destroy()));
});

test('connectionString(), env() and pgbin() drive libpq tools', async () => {
  const [s] = await startServers(1, { maxConnections: 50, settings: { work_mem: '8MB' } });
  const psql = s.pgbin('psql');
  assert.ok(psql, 'system install ships psql');
  assert.ok(s.pgbin('pgbench'));
  const viaEnv = await run(psql, ['-X', '-At', '-c', "SELECT current_user || ' ' || current_setting('max_connections') || ' ' || current_setting('work_mem')"], {
    env: { ...process.env, ...s.env() },
  });
  assert.equal(viaEnv.stdout.trim(), 'postgres 50 8MB');
  const viaUrl = await run(psql, ['-X', '-At', '-c', 'SELECT 42', s.connectionString()], { env: { PATH: process.env.PATH ?? '' } });
  assert.equal(viaUrl.stdout.trim(), '42');
  await s.destroy();
});

test('stopAll leaves no postmaster or backend behind and removes the data dirs', async () => {
  const servers: PgServer[] = await startServers(2);
  const running = [...servers];
  const pids = running.map((s) => s.pid);
  assert.ok(pids.every((p) => p !== null && processAlive(p)));
  const backends = pids.flatMap((p) => childPids(p!));
  assert.ok(backends.length >= 4, `expected auxiliary processes, got ${backends.length}`);
  await stopAll();
  for (const p of [...pids, ...backends]) assert.equal(processAlive(p!), false, `pid ${p} still alive`);
  for (const s of running) {
    assert.equal(existsSync(s.dataDir), false, `${s.dataDir} removed`);
    assert.equal(existsSync(s.logFile), false);
  }
  await assert.rejects(running[0].start(), /destroyed/);
});
