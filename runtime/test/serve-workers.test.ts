// `pgdog serve` with general.workers = 2, as users run it (the CLI process): clients spread over
// both workers, the pool size is a total over them, a CancelRequest that lands on the other worker
// still cancels the right query, SIGHUP reaches every worker, a killed worker is replaced while the
// other one keeps serving, and SIGTERM stops everything.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { createServer, type AddressInfo } from 'node:net';
import { pgConnect, runBin, sendCancelRequest, sleep, within, type PgClient } from './e2e-harness.js';

const cliBin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../cli/bin/run.js');
type PgError = Error & { code?: string };

interface LogLine {
  msg: string;
  worker?: number;
  pid: number;
}

describe('pgdog serve with general.workers = 2', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dir: string;
  let port: number;
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  let exited: Promise<number | null>;
  const cfg = () => ({ host: '127.0.0.1', port, user: 'app', password: 'secret', database: 'appdb' });
  const logs = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const waitForLog = async (pred: (l: LogLine) => boolean, what: string, count = 1): Promise<void> => {
    const until = Date.now() + 20_000;
    while (logs().filter(pred).length < count) {
      assert.ok(Date.now() < until, `${what}: not logged; stderr: ${stderr}`);
      await sleep(50);
    }
  };
  const workerPids = (): number[] =>
    readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  const appServers = async (): Promise<number> => {
    const rows = await pg.query("select count(*)::int as n from pg_stat_activity where usename = 'app' and backend_type = 'client backend'");
    return Number(rows[0].n);
  };

  before(async () => {
    assert.ok(existsSync(cliBin), `${cliBin} missing: build the cli package first`);
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dir = mkdtempSync(join(tmpdir(), 'pgdog-workers-'));
    port = await freePort();
    writeFileSync(
      join(dir, 'pgdog.toml'),
      `[general]\nhost = "127.0.0.1"\nport = ${port}\nworkers = 2\ndefault_pool_size = 2\n\n[[databases]]\nname = "appdb"\nhost = "127.0.0.1"\nport = ${pg.port}\n`,
    );
    writeFileSync(join(dir, 'users.toml'), '[[users]]\nname = "app"\npassword = "secret"\ndatabase = "appdb"\n');
    child = spawn(process.execPath, [cliBin, 'serve', '-c', join(dir, 'pgdog.toml'), '-u', join(dir, 'users.toml')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    exited = new Promise((res) => child.on('exit', (code) => res(code)));
    await waitForLog((l) => l.msg === 'pgdog workers started', 'start');
  });
  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads clients over both workers and keeps the pool size a total over them', async () => {
    const clients: PgClient[] = [];
    for (let i = 0; i < 12; i++) clients.push(await pgConnect(cfg()));
    // pgdog's process ids carry the worker (id mod worker count).
    assert.deepEqual(new Set(clients.map((c) => c.processID % 2)), new Set([0, 1]));
    let peak = 0;
    const load = Promise.all(clients.map(async (c, i) => (await c.query(`select ${i} as n, pg_sleep(0.05)`)).rows[0].n));
    const watch = (async () => {
      for (let i = 0; i < 10; i++) {
        peak = Math.max(peak, await appServers());
        await sleep(20);
      }
    })();
    assert.deepEqual(await load, clients.map((_, i) => i));
    await watch;
    assert.ok(peak >= 1 && peak <= 2, `default_pool_size = 2 over 2 workers opened ${peak} server connections`);
    await Promise.all(clients.map((c) => c.end()));
    const servedBy = new Set(logs().filter((l) => l.msg === 'client logged in').map((l) => l.worker));
    assert.deepEqual(servedBy, new Set([0, 1]));
  });

  it('a CancelRequest that lands on the other worker cancels the right query', async () => {
    const victims: PgClient[] = [];
    while (new Set(victims.map((c) => c.processID % 2)).size < 2) victims.push(await pgConnect(cfg()));
    const byWorker = [0, 1].map((w) => victims.find((c) => c.processID % 2 === w) as PgClient);
    const sleeping = byWorker.map((c) => c.query('select pg_sleep(20)').then(() => null, (e: PgError) => e.code));
    await sleep(300);
    // Connections go to the workers in turn: after a probe served by worker p, the next connection
    // (the cancel) is served by the other worker, which must relay it to p; the one after that
    // goes to p and carries the cancel for the other worker's query.
    const probe = await pgConnect(cfg());
    const p = probe.processID % 2;
    await probe.end();
    await sendCancelRequest(port, byWorker[p].processID, byWorker[p].secretKey);
    assert.equal(await within(sleeping[p], 5000, `cancel of worker ${p}'s query`), '57014');
    const still = await Promise.race([sleeping[1 - p].then(() => 'settled'), sleep(300).then(() => 'running')]);
    assert.equal(still, 'running', 'the other worker\'s query was not cancelled');
    await sendCancelRequest(port, byWorker[1 - p].processID, byWorker[1 - p].secretKey);
    assert.equal(await within(sleeping[1 - p], 5000, `cancel of worker ${1 - p}'s query`), '57014');
    for (const c of victims) assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
    await Promise.all(victims.map((c) => c.end()));
  });

  it('SIGHUP reloads in every worker; a killed worker is replaced while the other keeps serving', async () => {
    child.kill('SIGHUP');
    await waitForLog((l) => l.msg === 'reloading the configuration' && l.worker !== undefined, 'reload in both workers', 2);
    assert.deepEqual(new Set(logs().filter((l) => l.msg === 'reloading the configuration').map((l) => l.worker)), new Set([0, 1]));

    const before = workerPids();
    assert.equal(before.length, 2);
    const survivor = await pgConnect(cfg());
    const victimPid = before.find((p) => logs().some((l) => l.pid === p && l.worker !== survivor.processID % 2)) as number;
    process.kill(victimPid, 'SIGKILL');
    await waitForLog((l) => l.msg === 'worker replaced and listening', 'replacement');
    assert.equal((await survivor.query('select 7 as n')).rows[0].n, 7, 'the other worker kept its client');
    const after = workerPids();
    assert.equal(after.length, 2);
    assert.ok(!after.includes(victimPid));
    for (let i = 0; i < 4; i++) {
      const c = await pgConnect(cfg());
      assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
      await c.end();
    }
    await survivor.end();
  });

  it('SIGTERM stops every worker and the primary exits 0', async () => {
    const pids = workerPids();
    child.kill('SIGTERM');
    assert.equal(await within(exited, 20_000, 'exit'), 0, stderr);
    for (const p of pids) assert.throws(() => process.kill(p, 0), 'worker process gone');
    assert.ok(logs().some((l) => l.msg === 'stopped' && l.worker === undefined));
  });

  it('a busy port: the workers cannot listen, and serve exits 2', async () => {
    const busy = createServer();
    await new Promise<void>((res) => busy.listen(0, '127.0.0.1', () => res()));
    const busyPort = (busy.address() as AddressInfo).port;
    try {
      const r = await runBin(process.execPath, [cliBin, 'serve', '-c', join(dir, 'pgdog.toml'), '-u', join(dir, 'users.toml'), '--port', String(busyPort)], {}, 30_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stdout, /EADDRINUSE/);
      assert.match(r.stdout, /could not start/);
    } finally {
      busy.close();
    }
  });
});
