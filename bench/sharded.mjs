#!/usr/bin/env node
// Issue 7 benchmark: what sharded routing costs. One pgbench custom script (a point SELECT on a
// random key) through pgdog on a 2-shard setup vs through pgdog on one unsharded database, in the
// simple protocol (key as a literal), in the extended protocol (key as a bind parameter) and with
// named prepared statements (`-M prepared`: parsed once per connection, then only bound).
// Rounds interleave the two targets so machine drift hits both alike. Prints TPS (median of
// rounds) and sharded/unsharded; the target is >= 0.90.
//
// usage: node bench/sharded.mjs [--duration S] [--rounds N] [--clients C] [--modes simple,extended,prepared] [--profile]
//        (defaults 10 s, 3 rounds, 8 clients; env BENCH_DURATION / BENCH_ROUNDS / BENCH_CLIENTS)

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgbin, startServers, stopAll } from '@pgdog/testing';
import { parsePgbenchOutput } from './lib/pgbench-output.mjs';
import { run } from './lib/pgbench.mjs';
import { removeDir, stopChild, trackChild, trackDir } from './lib/teardown.mjs';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'pgdog-child.mjs');
const ROWS = 100_000;
const log = (/** @type {string} */ m) => process.stderr.write(`[bench:sharded] ${m}\n`);

/** @param {string} name @param {string | undefined} env @param {number} dflt */
function option(name, env, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : env;
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${name} must be a positive number\n`);
    process.exit(2);
  }
  return n;
}
const duration = option('duration', process.env.BENCH_DURATION, 10);
const rounds = option('rounds', process.env.BENCH_ROUNDS, 3);
const clients = option('clients', process.env.BENCH_CLIENTS, 8);

for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(sig, () => process.exit(130));

const pgbench = pgbin('pgbench');
if (pgbench === null) {
  log('pgbench is needed (apt-get install postgresql-client)');
  process.exit(2);
}

/** pgdog.toml: `shards` = [{port, database}]; sharded by user_id when there are several. */
function config(/** @type {{ port: number, database: string }[]} */ shards) {
  let t = `[general]\nhost = "127.0.0.1"\nport = 6432\ndefault_pool_size = ${clients}\nauth_type = "trust"\nlog_connections = false\nlog_disconnections = false\n`;
  shards.forEach((s, i) => {
    t += `\n[[databases]]\nname = "bench"\nhost = "127.0.0.1"\nport = ${s.port}\ndatabase_name = "${s.database}"\n${shards.length > 1 ? `shard = ${i}\n` : ''}`;
  });
  if (shards.length > 1) t += '\n[[sharded_tables]]\ndatabase = "bench"\nname = "accounts"\ncolumn = "user_id"\ndata_type = "bigint"\n';
  return t;
}

/** utime + stime of a process in clock ticks (Linux /proc). */
function cpuTicks(/** @type {number} */ pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Starts bench/pgdog-child.mjs on the config; resolves with its port and pid. */
async function startPgdog(/** @type {string} */ toml) {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-bench-sharded-'));
  trackDir(dir);
  writeFileSync(join(dir, 'pgdog.toml'), toml);
  writeFileSync(join(dir, 'users.toml'), '[[users]]\nname = "bench"\ndatabase = "bench"\npassword = "unused"\n', { mode: 0o600 });
  const profile = process.argv.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir', join(dirname(fileURLToPath(import.meta.url)), 'results', 'profiles')] : [];
  const child = spawn(process.execPath, [...profile, childScript, join(dir, 'pgdog.toml'), join(dir, 'users.toml')], { stdio: ['pipe', 'pipe', 'pipe'] });
  trackChild(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pgdog did not start:\n${stderr}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`pgdog exited with ${code}:\n${stderr}`)));
  });
  return { port: /** @type {number} */ (port), pid: /** @type {number} */ (child.pid), stop: async () => { await stopChild(child, 'SIGTERM'); removeDir(dir); } };
}

// --modes simple,extended (default both)
const modesArg = process.argv.indexOf('--modes');
const modes = /** @type {('simple' | 'extended' | 'prepared')[]} */ (modesArg >= 0 ? process.argv[modesArg + 1].split(',') : ['simple', 'extended', 'prepared']);
for (const m of modes) {
  if (m !== 'simple' && m !== 'extended' && m !== 'prepared') {
    process.stderr.write(`--modes: simple, extended and/or prepared, not ${m}\n`);
    process.exit(2);
  }
}
const stops = [];
let exitCode = 0;
try {
  const [a, b] = await startServers(2, { users: [{ name: 'bench', auth: 'trust', superuser: true }], settings: { max_connections: 100 } });
  await a.createDatabase({ name: 'single', owner: 'bench' });
  await a.createDatabase({ name: 'shard_0', owner: 'bench' });
  await b.createDatabase({ name: 'shard_1', owner: 'bench' });
  // Every row on the shard PostgreSQL's hash partitioning gives it, so the sharded setup holds
  // the same data as the single database, split in two.
  await a.query(`CREATE TABLE accounts (user_id bigint PRIMARY KEY, balance int); INSERT INTO accounts SELECT g, g % 1000 FROM generate_series(1, ${ROWS}) g`, [], { database: 'single' });
  for (const [server, db, i] of /** @type {const} */ ([[a, 'shard_0', 0], [b, 'shard_1', 1]])) {
    await server.query(`CREATE TABLE hp (k bigint) PARTITION BY HASH (k); CREATE TABLE accounts (user_id bigint PRIMARY KEY, balance int);
      INSERT INTO accounts SELECT g, g % 1000 FROM generate_series(1, ${ROWS}) g WHERE satisfies_hash_partition('hp'::regclass, 2, ${i}, g::bigint)`, [], { database: db });
    await server.query('VACUUM ANALYZE accounts', [], { database: db });
  }
  const single = await startPgdog(config([{ port: a.port, database: 'single' }]));
  stops.push(single.stop);
  const sharded = await startPgdog(config([{ port: a.port, database: 'shard_0' }, { port: b.port, database: 'shard_1' }]));
  stops.push(sharded.stop);

  const scriptDir = mkdtempSync(join(tmpdir(), 'pgdog-bench-script-'));
  trackDir(scriptDir);
  const script = join(scriptDir, 'point.sql');
  writeFileSync(script, `\\set uid random(1, ${ROWS})\nSELECT balance FROM accounts WHERE user_id = :uid;\n`);

  /** @type {Record<string, Record<string, number[]>>} */
  const tps = { simple: { unsharded: [], sharded: [] }, extended: { unsharded: [], sharded: [] }, prepared: { unsharded: [], sharded: [] } };
  /** @type {Record<string, Record<string, number[]>>} */
  const cpu = { simple: { unsharded: [], sharded: [] }, extended: { unsharded: [], sharded: [] }, prepared: { unsharded: [], sharded: [] } };
  for (let round = 1; round <= rounds; round++) {
    for (const mode of modes) {
      for (const [name, target] of /** @type {const} */ ([['unsharded', single], ['sharded', sharded]])) {
        const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(target.port), PGUSER: 'bench', PGDATABASE: 'bench', PGSSLMODE: 'disable', PGGSSENCMODE: 'disable' };
        const cpuBefore = cpuTicks(target.pid);
        const out = await run(pgbench, ['-n', '-M', mode, '-f', script, '-c', String(clients), '-j', '2', '-T', String(duration)], env, (duration + 60) * 1000);
        const r = parsePgbenchOutput(out.stdout);
        if (out.code !== 0 || r.tps === null) throw new Error(`pgbench ${mode} on ${name} failed (${out.code}):\n${out.stdout}\n${out.stderr}`);
        tps[mode][name].push(r.tps);
        // Clock ticks are 10 ms: over a run of seconds that is precise enough for µs per transaction.
        const usPerTx = ((cpuTicks(target.pid) - cpuBefore) * 10_000) / (r.tps * duration);
        cpu[mode][name].push(usPerTx);
        log(`round ${round} ${mode} ${name}: ${r.tps.toFixed(0)} tps, pgdog ${usPerTx.toFixed(1)} µs CPU/tx`);
      }
    }
  }
  const median = (/** @type {number[]} */ xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const lines = ['| protocol | unsharded TPS | 2 shards TPS | ratio | target >= 0.90 | pgdog CPU µs/tx unsharded | 2 shards |', '|---|---:|---:|---:|---|---:|---:|'];
  for (const mode of modes) {
    const u = median(tps[mode].unsharded);
    const s = median(tps[mode].sharded);
    const ratio = s / u;
    if (ratio < 0.9) exitCode = 1;
    lines.push(`| ${mode} | ${u.toFixed(0)} | ${s.toFixed(0)} | ${ratio.toFixed(3)} | ${ratio >= 0.9 ? 'met' : 'MISSED'} | ${median(cpu[mode].unsharded).toFixed(1)} | ${median(cpu[mode].sharded).toFixed(1)} |`);
  }
  process.stdout.write(`pgbench point SELECT on a random key (${ROWS} rows), ${clients} clients, ${duration} s x ${rounds} rounds, medians\n${lines.join('\n')}\n`);
} catch (err) {
  log(err instanceof Error ? err.stack ?? err.message : String(err));
  exitCode = 2;
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  await stopAll();
}
process.exit(exitCode);
