// Hosts going away under pgdog: a replica killed under a steady pgbench -S load (only statements in
// flight on it fail; after its ban none; it rejoins after ban_timeout once a check passes), every
// replica down in each read_write_split mode, a host refusing connections from the start, a host
// that accepts TCP and never answers, and the primary down. Measurements go to the test output.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPrimaryWithReplicas, stopAll, type PgServer } from '@pgdog/testing';
import type { HostStats } from '../src/pool/host-group.js';
import { pgConnect, runBin, sleep, startPgdog, type Pgdog, type PgClient, type PgdogOptions } from './e2e-harness.js';

type PgError = Error & { code?: string };

const USER = { name: 'app', password: 'secret', database: 'appdb' };
/** Short timers so that bans start and end within a test. */
const FAST = { default_pool_size: 8, ban_timeout: 1000, connect_timeout: 500, checkout_timeout: 2000 };

describe('replicas: health checks, bans and failover', { timeout: 240_000 }, () => {
  let primary: PgServer;
  let replicas: PgServer[];
  const dogs: Pgdog[] = [];

  async function dog(general: PgdogOptions['general'], hostPorts?: { port: number; role: string }[]): Promise<Pgdog> {
    const hosts = hostPorts ?? [
      { port: primary.port, role: 'primary' },
      { port: replicas[0].port, role: 'replica' },
      { port: replicas[1].port, role: 'replica' },
    ];
    const d = await startPgdog({ general: { ...FAST, ...general }, databases: hosts.map((h) => ({ name: 'appdb', ...h })), users: [USER] });
    dogs.push(d);
    return d;
  }

  const client = (d: Pgdog): Promise<PgClient> => pgConnect(d.config('app', 'secret', 'appdb'));
  const hostStats = (d: Pgdog, port: number): HostStats => d.server.stats().hosts.find((h) => h.port === port) as HostStats;

  async function readPort(c: PgClient): Promise<number> {
    return Number((await c.query('SELECT inet_server_port() AS p')).rows[0].p);
  }

  async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
    const start = Date.now();
    while (!check()) {
      if (Date.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}`);
      await sleep(5);
    }
    return Date.now();
  }

  function pgbench(d: Pgdog, seconds: number, clients: number): ReturnType<typeof runBin> {
    const args = ['-S', '-n', '-M', 'simple', '-c', String(clients), '-j', '2', '-T', String(seconds)];
    return runBin(primary.pgbin('pgbench') as string, args, d.env('app', 'secret', 'appdb'), (seconds + 30) * 1000);
  }

  /** A closed port: connects to it are refused. */
  async function closedPort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    return port;
  }

  before(async () => {
    ({ primary, replicas } = await startPrimaryWithReplicas(2, {
      users: [{ name: 'app', password: 'secret', auth: 'scram' }],
      databases: [{ name: 'appdb', owner: 'app' }],
    }));
    const init = await runBin(primary.pgbin('pgbench') as string, ['-i', '-s', '1', '-q'], primary.env('app', 'secret', 'appdb'));
    assert.equal(init.code, 0, init.stderr);
    for (const r of replicas) await primary.waitForReplay(r, 30_000);
  });
  after(async () => {
    for (const d of dogs) await d.stop();
    await stopAll();
  });

  it('a replica killed under pgbench -S: only statements in flight fail, none after its ban; it rejoins after ban_timeout', async (t) => {
    const d = await dog({ load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' });
    const victim = replicas[0];
    // Our own clients beside pgbench, each failure timestamped.
    const failures: number[] = [];
    let ok = 0;
    let running = true;
    const loaders = await Promise.all([0, 1, 2, 3].map(() => client(d)));
    const loops = loaders.map(async (c, i) => {
      let aid = i;
      while (running) {
        aid = (aid % 100_000) + 1;
        try {
          await c.query(`SELECT abalance FROM pgbench_accounts WHERE aid = ${aid}`);
          ok++;
        } catch {
          failures.push(Date.now());
        }
      }
    });
    const bench = pgbench(d, 5, 8);
    await sleep(1500);
    // Each connection to the victim can fail at most the one statement written to it before pgdog
    // saw it die; a client whose next statement lands on another of them (idle, not yet seen
    // closed) in the same few milliseconds fails again.
    const victimConnections = d.server.stats().pools.filter((p) => p.name.includes(`:${victim.port})`)).reduce((n, p) => n + p.stats.total, 0);
    const killAt = Date.now();
    await victim.kill();
    const bannedAt = await waitFor('the ban', () => hostStats(d, victim.port).banned, 5000);
    await sleep(1500);
    running = false;
    await Promise.all(loops);
    const result = await bench;
    const aborted = (result.stderr.match(/aborted in command/g) ?? []).length;
    const tx = Number(/number of transactions actually processed: (\d+)/.exec(result.stdout)?.[1] ?? 0);
    const window = failures.length > 0 ? `${failures[0] - killAt}..${failures[failures.length - 1] - killAt} ms after the kill` : 'none';
    t.diagnostic(`kill -> ban: ${bannedAt - killAt} ms; own clients: ${failures.length} failed of ${ok + failures.length} (${window}), ${victimConnections} connections to the replica; pgbench: ${aborted} of 8 clients aborted, ${tx} transactions`);
    assert.ok(failures.length <= victimConnections, `at most one statement per connection to the dead replica fails: ${failures.length} for ${victimConnections}`);
    for (const f of failures) assert.ok(f <= bannedAt + 50, `failure ${f - killAt} ms after the kill, ban at ${bannedAt - killAt} ms`);
    assert.ok(aborted <= 8 && tx > 0, result.stderr);
    assert.match(hostStats(d, victim.port).banReason ?? '', /refused|ECONNREFUSED|connect/i);

    // After the ban: a full pgbench run without one error.
    const clean = await pgbench(d, 2, 8);
    assert.equal(clean.code, 0, clean.stderr);
    assert.doesNotMatch(clean.stderr, /aborted/);
    // Still down past ban_timeout: its check fails, so it stays banned.
    const stillDown = hostStats(d, victim.port);
    assert.equal(stillDown.banned, true);
    assert.ok(stillDown.bans >= 2, `banned again after failed checks: ${JSON.stringify(stillDown)}`);

    await victim.start();
    const restartAt = Date.now();
    const back = await waitFor('the unban', () => !hostStats(d, victim.port).banned, 10_000);
    t.diagnostic(`restart -> unban: ${back - restartAt} ms (ban_timeout 1000)`);
    const c = loaders[0];
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) seen.add(await readPort(c));
    assert.ok(seen.has(victim.port), 'reads reach the replica again');
    for (const l of loaders) await l.end();
  });

  it('every replica down: reads go to the primary in the include modes, and fail clearly in exclude_primary', async () => {
    const modes = ['include_primary', 'include_primary_if_replica_banned', 'exclude_primary'];
    const byMode = new Map<string, Pgdog>();
    for (const m of modes) byMode.set(m, await dog({ read_write_split: m, load_balancing_strategy: 'round_robin' }));
    const clients = new Map<string, PgClient>();
    for (const m of modes) {
      const c = await client(byMode.get(m) as Pgdog);
      clients.set(m, c);
      // Warm: each mode's pools hold servers on the replicas before they die.
      for (let i = 0; i < 4; i++) await readPort(c);
    }
    await Promise.all(replicas.map((r) => r.kill()));
    try {
      for (const m of modes.slice(0, 2)) {
        const c = clients.get(m) as PgClient;
        // The statements in flight when the replicas died are none here: every read must succeed.
        for (let i = 0; i < 20; i++) assert.equal(await readPort(c), primary.port, m);
      }
      const c = clients.get('exclude_primary') as PgClient;
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const err = await readPort(c).then(() => null, (e: PgError) => e);
        assert.ok(err !== null, 'no replica, no read');
        assert.match(err.message, /replica 127\.0\.0\.1:\d+: .*(refused|ECONNREFUSED)/i);
        assert.ok(Date.now() - started < 2000, 'fails fast');
      }
      // Writes are not affected.
      assert.equal((await c.query('SELECT inet_server_port() AS p FROM pgbench_branches FOR UPDATE')).rows[0].p, primary.port);
    } finally {
      for (const c of clients.values()) await c.end();
      await Promise.all(replicas.map((r) => r.start()));
    }
  });

  it('a host refusing connections from start-up is banned and never chosen', async () => {
    const dead = await closedPort();
    const d = await dog({ ban_timeout: 60_000, load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' }, [
      { port: primary.port, role: 'primary' },
      { port: dead, role: 'replica' },
      { port: replicas[1].port, role: 'replica' },
    ]);
    const c = await client(d);
    for (let i = 0; i < 100; i++) assert.equal(await readPort(c), replicas[1].port);
    const s = hostStats(d, dead);
    assert.equal(s.banned, true);
    assert.equal(s.bans, 1);
    assert.match(s.banReason ?? '', /refused|ECONNREFUSED/i);
    await c.end();
  });

  it('a host that accepts TCP but never answers is banned after connect_timeout; the client does not notice', async () => {
    const silent = net.createServer((sock) => sock.pause());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const d = await dog({ ban_timeout: 60_000, connect_timeout: 300, load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' }, [
        { port: primary.port, role: 'primary' },
        { port, role: 'replica' },
        { port: replicas[1].port, role: 'replica' },
      ]);
      const c = await client(d);
      const started = Date.now();
      for (let i = 0; i < 20; i++) assert.equal(await readPort(c), replicas[1].port);
      const elapsed = Date.now() - started;
      const s = hostStats(d, port);
      assert.equal(s.banned, true);
      assert.match(s.banReason ?? '', /timed out/);
      assert.ok(elapsed < 2000, `one connect_timeout at most, not one per read: ${elapsed} ms`);
      await c.end();
    } finally {
      silent.close();
    }
  });

  it('health checks run on checkout after healthcheck_interval and on idle servers', async () => {
    const d = await dog({ healthcheck_interval: 50, idle_healthcheck_interval: 100, idle_healthcheck_delay: 0, load_balancing_strategy: 'round_robin', read_write_split: 'exclude_primary' });
    const c = await client(d);
    await readPort(c);
    await readPort(c);
    await sleep(400);
    const before = d.server.stats().hosts.reduce((n, h) => n + h.checks, 0);
    assert.ok(before > 0, 'idle checks ran');
    await readPort(c);
    const afterRead = d.server.stats().hosts.reduce((n, h) => n + h.checks, 0);
    assert.ok(afterRead >= before, 'the checkout of a server unused for 50 ms ran a check');
    assert.equal(d.server.stats().hosts.reduce((n, h) => n + h.checkFailures, 0), 0);
    await c.end();
  });

  it('primary down: writes fail fast with the cause, reads keep working', async () => {
    const d = await dog({ load_balancing_strategy: 'round_robin' });
    const c = await client(d);
    for (let i = 0; i < 6; i++) await readPort(c);
    await primary.kill();
    try {
      const started = Date.now();
      const err = await c.query('UPDATE pgbench_branches SET bbalance = bbalance + 1 WHERE bid = 1').then(() => null, (e: PgError) => e);
      assert.ok(err !== null);
      assert.match(err.message, /primary|could not open a server connection/);
      assert.match(err.message, /refused|ECONNREFUSED/i);
      assert.ok(Date.now() - started < 1000, `fails fast: ${Date.now() - started} ms`);
      for (let i = 0; i < 30; i++) assert.notEqual(await readPort(c), primary.port);
    } finally {
      await c.end();
    }
  });
});
