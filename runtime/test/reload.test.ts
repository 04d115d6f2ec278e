// Reloading the configuration while clients are connected, against a real PostgreSQL: in process
// (startServer().reload) and as operators do it (SIGHUP to `pgdog serve`). A changed password and
// pool size apply to new logins and new transactions; a transaction in flight finishes on its
// server; an unchanged pool keeps its connections; a broken configuration leaves the old one.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@pgdog/compiler';
import { freePort, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, startPgdog, within, type Pgdog, type PgClient } from './e2e-harness.js';

type PgError = Error & { code?: string };
const cliBin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../cli/bin/run.js');

async function backendPid(c: PgClient): Promise<number> {
  return (await c.query('select pg_backend_pid() as pid')).rows[0].pid as number;
}

function usersToml(appPassword: string, poolSize: number): string {
  return (
    `[[users]]\nname = "app"\npassword = "${appPassword}"\nserver_password = "secret"\ndatabase = "appdb"\npool_size = ${poolSize}\n\n` +
    '[[users]]\nname = "other"\npassword = "other-pw"\nserver_user = "app"\nserver_password = "secret"\ndatabase = "appdb"\npool_size = 1\n'
  );
}

function pgdogToml(pgPort: number, extra = ''): string {
  return `[general]\nhost = "127.0.0.1"\nport = 6432\ncheckout_timeout = 1500\nlog_connections = false\nlog_disconnections = false\n${extra}\n[[databases]]\nname = "appdb"\nhost = "127.0.0.1"\nport = ${pgPort}\n`;
}

/** `n` clients each open a transaction at once; resolves with their backend pids. */
async function concurrentTransactions(dog: { config(u: string, p: string, d: string): object }, password: string, n: number): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: n }, () => pgConnect(dog.config('app', password, 'appdb'))));
  try {
    await Promise.all(clients.map((c) => c.query('begin')));
    return await Promise.all(clients.map(backendPid));
  } finally {
    await Promise.all(clients.map((c) => c.query('rollback').then(() => c.end())));
  }
}

describe('configuration reload', { timeout: 180_000 }, () => {
  let pg: PgServer;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
  });
  after(async () => {
    await stopAll();
  });

  describe('in process: startServer().reload(config)', () => {
    let dog: Pgdog;
    before(async () => {
      dog = await startPgdog({ general: { checkout_timeout: 1500 }, databases: [{ name: 'appdb', port: pg.port }], users: [] });
      // Start again from files this test controls (the harness wrote an empty users.toml).
      writeFileSync(join(dog.dir, 'pgdog.toml'), pgdogToml(pg.port));
      writeFileSync(join(dog.dir, 'users.toml'), usersToml('old-pw', 2));
      assert.equal((await reloadFiles()).ok, true);
    });
    after(async () => {
      await dog?.stop();
    });

    async function reloadFiles() {
      const loaded = await loadConfig({ configPath: join(dog.dir, 'pgdog.toml'), usersPath: join(dog.dir, 'users.toml') });
      assert.ok(loaded.config, JSON.stringify(loaded.errors));
      return dog.server.reload(loaded.config);
    }

    it('new password and pool size apply; old clients and transactions in flight carry on; other pools are kept', async () => {
      const old = await pgConnect(dog.config('app', 'old-pw', 'appdb'));
      const mid = await pgConnect(dog.config('app', 'old-pw', 'appdb'));
      const other = await pgConnect(dog.config('other', 'other-pw', 'appdb'));
      await old.query('select 1');
      const otherPid = await backendPid(other);
      await mid.query('begin');
      const midPid = await backendPid(mid);
      await mid.query('create temp table in_flight (x int)');
      // Pool size 2: a third concurrent transaction waits out checkout_timeout.
      await assert.rejects(concurrentTransactions(dog, 'old-pw', 3), (e: PgError) => e.code === '53300');

      writeFileSync(join(dog.dir, 'users.toml'), usersToml('new-pw', 3));
      const outcome = await reloadFiles();
      assert.ok(outcome.ok);
      assert.deepEqual(outcome.plan.summary.usersChanged, ['app']);
      assert.deepEqual(outcome.plan.summary.poolsDrained, ['app@appdb']);
      assert.equal(outcome.plan.summary.poolsKept, 1);

      // The transaction in flight finishes on its server, undisturbed.
      await mid.query('insert into in_flight values (1)');
      assert.equal(await backendPid(mid), midPid);
      await mid.query('commit');
      // The logged-in client's next transaction runs on the new pool.
      assert.equal((await old.query('select 41 + 1 as n')).rows[0].n, 42);
      // The unchanged pool kept its server connection.
      assert.equal(await backendPid(other), otherPid);
      // New logins: the new password only; the new pool size serves three at once.
      await assert.rejects(pgConnect(dog.config('app', 'old-pw', 'appdb')), (e: PgError) => e.code === '28P01');
      const pids = await concurrentTransactions(dog, 'new-pw', 3);
      assert.equal(new Set(pids).size, 3);
      // The drained pool's servers are gone once released: only the new pool and the kept one are listed.
      assert.deepEqual(dog.server.stats().pools.map((p) => p.name).sort(), ['app@appdb', 'other@appdb']);
      await Promise.all([old.end(), mid.end(), other.end()]);
    });

    it('a reload that cannot apply (missing TLS certificate) keeps the running configuration', async () => {
      writeFileSync(join(dog.dir, 'pgdog.toml'), pgdogToml(pg.port, `tls_certificate = "${join(dog.dir, 'missing.pem')}"\ntls_private_key = "${join(dog.dir, 'missing.key')}"\n`));
      const outcome = await reloadFiles();
      assert.equal(outcome.ok, false);
      assert.ok(!outcome.ok && /missing\.pem/.test(outcome.error));
      const c = await pgConnect(dog.config('app', 'new-pw', 'appdb'));
      assert.equal((await c.query('select 1 as one')).rows[0].one, 1);
      await c.end();
      writeFileSync(join(dog.dir, 'pgdog.toml'), pgdogToml(pg.port));
    });
  });

  describe('pgdog serve: SIGHUP', () => {
    it('reloads good files, logs and ignores broken ones', async () => {
      assert.ok(existsSync(cliBin), `${cliBin} missing: build the cli package first`);
      const dir = mkdtempSync(join(tmpdir(), 'pgdog-sighup-'));
      const port = await freePort();
      const configPath = join(dir, 'pgdog.toml');
      const usersPath = join(dir, 'users.toml');
      writeFileSync(configPath, pgdogToml(pg.port));
      writeFileSync(usersPath, usersToml('old-pw', 2));
      const child = spawn(process.execPath, [cliBin, 'serve', '-c', configPath, '-u', usersPath, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
      const logged = async (text: string, after: number): Promise<void> => {
        const until = Date.now() + 20_000;
        while (!stdout.slice(after).includes(text)) {
          assert.ok(Date.now() < until, `no "${text}" in the log; stdout: ${stdout}\nstderr: ${stderr}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const cfg = (password: string) => ({ host: '127.0.0.1', port, user: 'app', password, database: 'appdb' });
      try {
        await logged('pgdog is listening', 0);
        const old = await pgConnect(cfg('old-pw'));
        assert.equal((await old.query('select 1 as one')).rows[0].one, 1);

        writeFileSync(usersPath, usersToml('new-pw', 3));
        let mark = stdout.length;
        child.kill('SIGHUP');
        await logged('configuration reloaded', mark);
        assert.equal((await old.query('select 2 as two')).rows[0].two, 2);
        const fresh = await pgConnect(cfg('new-pw'));
        assert.equal((await fresh.query('select 3 as three')).rows[0].three, 3);
        await assert.rejects(pgConnect(cfg('old-pw')), (e: PgError) => e.code === '28P01');

        writeFileSync(configPath, '[general]\nport = "six"\n');
        mark = stdout.length;
        child.kill('SIGHUP');
        await logged('reload refused', mark);
        assert.match(stdout.slice(mark), /pgdog\.toml:2:8: error E_\w+/);
        assert.equal((await fresh.query('select 4 as four')).rows[0].four, 4);
        const again = await pgConnect(cfg('new-pw'));
        await again.end();
        await within(Promise.all([old.end(), fresh.end()]), 5000, 'clients closing');
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, stderr);
      assert.ok(!stdout.includes('new-pw') && !stdout.includes('old-pw'), 'no password in the logs');
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
