// `pgdog serve` as users run it: the CLI process (cli/bin/run.js, built by `npm run build` before
// the tests) with config files, JSON logs on a non-TTY stdout, psql through it, and a graceful exit
// on SIGTERM. Config errors are printed like `pgdog validate` and exit 1.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { psql, runBin } from './e2e-harness.js';

const cliBin = resolve(dirname(fileURLToPath(import.meta.url)), '../../../cli/bin/run.js');

describe('pgdog serve (CLI)', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dir: string;

  before(async () => {
    assert.ok(existsSync(cliBin), `${cliBin} missing: build the cli package first`);
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dir = mkdtempSync(join(tmpdir(), 'pgdog-serve-'));
  });
  after(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints config errors like validate and exits 1', async () => {
    writeFileSync(join(dir, 'bad.toml'), '[general]\nport = "six"\n\n[[databases]]\nname = "appdb"\nhost = "127.0.0.1"\n');
    writeFileSync(join(dir, 'users.toml'), '[[users]]\nname = "app"\npassword = "topsecret-pw"\ndatabase = "appdb"\n');
    const r = await runBin(process.execPath, [cliBin, 'serve', '-c', join(dir, 'bad.toml'), '-u', join(dir, 'users.toml')], {}, 30_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.toml:2:8: error E_\w+ /);
    assert.match(r.stderr, /cannot serve/);
    assert.equal(r.stdout, '');
  });

  it('serves clients, logs JSON, and shuts down gracefully on SIGTERM', async () => {
    const port = await freePort();
    writeFileSync(join(dir, 'pgdog.toml'), `[general]\nhost = "127.0.0.1"\nport = 6432\n\n[[databases]]\nname = "appdb"\nhost = "127.0.0.1"\nport = ${pg.port}\n`);
    writeFileSync(join(dir, 'users.toml'), '[[users]]\nname = "app"\npassword = "secret"\ndatabase = "appdb"\n');
    const child = spawn(process.execPath, [cliBin, 'serve', '-c', join(dir, 'pgdog.toml'), '-u', join(dir, 'users.toml'), '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      const until = Date.now() + 20_000;
      while (!stdout.includes('pgdog is listening')) {
        assert.ok(Date.now() < until, `not listening; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const env = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'app', PGPASSWORD: 'secret', PGDATABASE: 'appdb', PGSSLMODE: 'disable' };
      const r = await psql(pg, env, 'select 6 * 7');
      assert.equal(r.stdout.trim(), '42', r.stderr);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    const messages = lines.map((l) => l.msg);
    assert.ok(messages.includes('pgdog is listening'));
    assert.ok(messages.includes('pgdog workers started'), 'general.workers defaults to 2');
    assert.ok(messages.includes('client logged in'));
    assert.ok(messages.includes('stopped'));
    assert.ok(!stdout.includes('secret'), 'no password in the logs');
  });

  it('--routes serves a compiled table (its block rule applies) and refuses a stale one; --workers 1 serves in-process', async () => {
    const port = await freePort();
    const config = join(dir, 'routes.toml');
    const users = join(dir, 'routes-users.toml');
    const table = join(dir, 'routes.json');
    const toml = `[general]\nhost = "127.0.0.1"\nport = 6432\n\n[[databases]]\nname = "appdb"\nhost = "127.0.0.1"\nport = ${pg.port}\n\n` +
      `[[query_rules]]\nname = "no truncate"\nmatch = "query ~ '^TRUNCATE'"\nroute = "block"\nmessage = "truncating is off"\n`;
    writeFileSync(config, toml);
    writeFileSync(users, '[[users]]\nname = "app"\npassword = "secret"\ndatabase = "appdb"\n');
    const compiled = await runBin(process.execPath, [cliBin, 'compile', '-c', config, '-u', users, '-o', table], {}, 30_000);
    assert.equal(compiled.code, 0, compiled.stderr);
    // --workers 1: served from the started process itself (the other tests run the default 2 workers).
    const child = spawn(process.execPath, [cliBin, 'serve', '-c', config, '-u', users, '--routes', table, '--port', String(port), '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      const until = Date.now() + 20_000;
      while (!stdout.includes('pgdog is listening')) {
        assert.ok(Date.now() < until, `not listening; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const env = { PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'app', PGPASSWORD: 'secret', PGDATABASE: 'appdb', PGSSLMODE: 'disable' };
      const blocked = await psql(pg, env, 'TRUNCATE pg_class');
      assert.notEqual(blocked.code, 0);
      assert.match(blocked.stderr, /42501.*truncating is off/s);
      assert.equal((await psql(pg, env, 'select 6 * 7')).stdout.trim(), '42');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.ok(stdout.includes('pgdog is listening') && !stdout.includes('pgdog workers started') && !stdout.includes('"worker":'), 'served by one process');
    writeFileSync(config, toml + '# edited after compiling\n');
    const stale = await runBin(process.execPath, [cliBin, 'serve', '-c', config, '-u', users, '--routes', table, '--port', String(port)], {}, 30_000);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /compiled from other versions.*--force/);
  });
});
