// `pgdog demo` end to end: the real CLI as a subprocess (no stdin), real psql and pg through the
// proxy it starts (its unsharded and its sharded database), and nothing left behind after it stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { canConnect, pgbin } from '@pgdog/testing';
import { cliBin, repoRoot } from './cli-run.js';
import { checkShardedDemo } from './demo-sharded-checks.js';

const require = createRequire(import.meta.url);
const pg = require('pg') as {
  Client: new (config: object) => { connect(): Promise<void>; query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>; end(): Promise<void> };
};

interface Demo {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function startDemo(args: string[]): Demo {
  const child = spawn(process.execPath, [cliBin, 'demo', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitForOutput(demo: Demo, needle: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!demo.stdout().includes(needle)) {
    if (demo.child.exitCode !== null) assert.fail(`demo exited (${demo.child.exitCode}) before printing ${needle}\n${demo.stdout()}\n${demo.stderr()}`);
    if (Date.now() > deadline) assert.fail(`no ${needle} within ${timeoutMs} ms\n${demo.stdout()}\n${demo.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface BannerFacts {
  primaryPort: number;
  replicaPort: number;
  shards: { port: number; database: string }[];
  configDir: string;
  dataDir: string;
  routeLine: string;
}

/** What the banner says about where things live. */
function bannerFacts(stdout: string): BannerFacts {
  const primary = /^ {2}primary {2}127\.0\.0\.1:(\d+)$/m.exec(stdout);
  const replica = /^ {2}replica {2}127\.0\.0\.1:(\d+) /m.exec(stdout);
  const shards = [...stdout.matchAll(/^ {2}shard (\d+) {2}127\.0\.0\.1:(\d+)\/(\w+)$/gm)].map((m) => ({ shard: Number(m[1]), port: Number(m[2]), database: m[3]! }));
  const config = /^ {2}config {3}(\S+)\/pgdog\.toml,/m.exec(stdout);
  const data = /^ {2}data {5}(\S+)$/m.exec(stdout);
  const route = /^ {2}(node \S+ route .*)$/m.exec(stdout);
  assert.ok(primary && replica && config && data && route, `banner incomplete:\n${stdout}`);
  assert.deepEqual(shards.map((s) => s.shard), [0, 1], `two shards in the banner:\n${stdout}`);
  return { primaryPort: Number(primary[1]), replicaPort: Number(replica[1]), shards, configDir: config[1]!, dataDir: data[1]!, routeLine: route[1]! };
}

function psql(url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(pgbin('psql')!, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { env: { ...process.env, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10' }, timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`psql failed: ${stderr || error.message}`)) : resolve(stdout.trim()),
    );
  });
}

/** Processes whose command line mentions `dir` (a postmaster runs as `postgres -D <dir>/...`). */
function processesUsing(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(dir)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function assertNothingLeft(facts: ReturnType<typeof bannerFacts>, pgdogPort: number): Promise<void> {
  assert.equal(existsSync(facts.configDir), false, `config dir ${facts.configDir} left behind`);
  assert.equal(existsSync(facts.dataDir), false, `data dir ${facts.dataDir} left behind`);
  assert.deepEqual(processesUsing(facts.dataDir), [], 'PostgreSQL processes left behind');
  for (const port of [pgdogPort, facts.primaryPort, facts.replicaPort, ...facts.shards.map((s) => s.port)]) assert.equal(await canConnect(port), false, `port ${port} still accepts connections`);
}

test('pgdog demo serves the sample schema through pgdog and cleans up after --exit-after', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const demo = startDemo(['--port', String(port), '--exit-after', '10']);
  try {
    const url = `postgres://pgdog:pgdog@127.0.0.1:${port}/pgdog`;
    await waitForOutput(demo, `psql "${url}"`);
    const facts = bannerFacts(demo.stdout());

    // Simple protocol through pgdog, with psql.
    assert.equal(await psql(url, 'SELECT (SELECT count(*) FROM countries), (SELECT count(*) FROM users), (SELECT count(*) FROM orders)'), '12|300|1000');
    assert.equal(await psql(url, 'SELECT name FROM countries ORDER BY name LIMIT 3'), 'Argentina\nAustralia\nBrazil');
    assert.equal(await psql(url, 'SELECT inet_server_port()'), String(facts.replicaPort), 'psql reads from the replica');
    assert.equal(await psql(url, 'SELECT user_id, amount, status FROM orders WHERE id IN (1, 1000) ORDER BY id'), '1|38.01|paid\n100|1.00|pending');
    assert.equal(
      await psql(url, "SELECT count(*) FROM users u JOIN countries c ON c.code = u.country_code WHERE c.name = 'Argentina'"),
      '25',
    );

    // Extended protocol through pgdog, with pg.
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'pgdog', password: 'pgdog', database: 'pgdog', ssl: false });
    await client.connect();
    try {
      const r = await client.query('SELECT email, country_code FROM users WHERE id = $1', [42]);
      assert.deepEqual(r.rows, [{ email: 'user42@example.com', country_code: 'IN' }]);
      const ins = await client.query("INSERT INTO orders (user_id, amount, status, created_at) VALUES ($1, 9.99, 'pending', now()) RETURNING id, inet_server_port() AS port", [7]);
      assert.equal(String(ins.rows[0].id), '1001');
      assert.equal(Number(ins.rows[0].port), facts.primaryPort, 'writes on the primary');
      const where = await client.query('SELECT inet_server_port() AS port, pg_is_in_recovery() AS standby');
      assert.deepEqual([Number(where.rows[0].port), where.rows[0].standby], [facts.replicaPort, true], 'reads on the replica');
    } finally {
      await client.end();
    }

    // The replica is a real streaming replica holding the same data.
    const direct = `postgres://pgdog:pgdog@127.0.0.1:${facts.replicaPort}/pgdog`;
    assert.equal(await psql(direct, 'SELECT pg_is_in_recovery(), (SELECT count(*) FROM users)'), 't|300');

    assert.equal(await demo.exited, 0, demo.stderr());
    assert.match(demo.stdout(), /stopped; the servers and their files are removed/);
    await assertNothingLeft(facts, port);
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  }
});

test('the sharded database: rows on their shards, cross-shard answers as one database; then Ctrl-C (SIGINT) stops the demo cleanly', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const demo = startDemo(['--port', String(port)]);
  try {
    await waitForOutput(demo, 'Press Ctrl-C');
    const facts = bannerFacts(demo.stdout());
    assert.equal(await psql(`postgres://pgdog:pgdog@127.0.0.1:${port}/pgdog`, 'SELECT count(*) FROM orders'), '1000');
    await checkShardedDemo(psql, port, facts.shards, facts.routeLine, repoRoot);
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0, demo.stderr());
    await assertNothingLeft(facts, port);
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  }
});

test('a busy port is reported clearly, with exit code 2, before any server starts', { timeout: 60_000 }, async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const demo = startDemo(['--port', String(port), '--no-wait']);
    assert.equal(await demo.exited, 2);
    assert.match(demo.stderr(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port`));
    assert.doesNotMatch(demo.stdout(), /starting a throwaway PostgreSQL/);
  } finally {
    holder.close();
  }
});
