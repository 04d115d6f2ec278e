#!/usr/bin/env node
// Read-only TPS through pgdog with one replica vs two: a primary with two streaming replicas, pgbench
// -S through pgdog with read_write_split = "exclude_primary" and round_robin over one replica, then
// over both, interleaved per round. Prints TPS per round, the median, and pgdog's CPU per
// transaction. All processes share this machine's cores: a second replica adds PostgreSQL capacity
// only where PostgreSQL, not the proxy or pgbench, is what limits the run.
//
// usage: node bench/replicas.mjs [--duration SEC] [--rounds N] [--clients N] [--scale N]

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pgbin, startPrimaryWithReplicas, stopAll } from '@pgdog/testing';
import { run, runPgbench } from './lib/pgbench.mjs';
import { median } from './lib/summary.mjs';
import { removeDir, stopChild, trackChild, trackDir } from './lib/teardown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const USER = 'bench';
const PASSWORD = 'bench';
const DATABASE = 'bench';
/** @param {string} msg */
const log = (msg) => process.stderr.write(`[replicas] ${msg}\n`);

const opts = { duration: 10, rounds: 2, clients: 20, scale: 10, poolSize: 20 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = { '--duration': 'duration', '--rounds': 'rounds', '--clients': 'clients', '--scale': 'scale' }[argv[i]];
  const value = Number(argv[i + 1]);
  if (key === undefined || !Number.isInteger(value) || value < 1) {
    process.stderr.write('usage: node bench/replicas.mjs [--duration SEC] [--rounds N] [--clients N] [--scale N]\n');
    process.exit(2);
  }
  opts[/** @type {'duration'} */ (key)] = value;
  i++;
}
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(sig, () => process.exit(130));

const pgbench = pgbin('pgbench');
if (pgbench === null) {
  log('pgbench is needed (apt-get install postgresql-client)');
  process.exit(2);
}

/**
 * pgdog.toml / users.toml: the primary and `replicaPorts`, reads on the replicas only.
 * @param {number} primaryPort @param {number[]} replicaPorts
 */
function config(primaryPort, replicaPorts) {
  const host = (/** @type {number} */ port, /** @type {string} */ role) => `[[databases]]\nname = "${DATABASE}"\nhost = "127.0.0.1"\nport = ${port}\nrole = "${role}"\n`;
  return {
    pgdog: [
      '[general]',
      'host = "127.0.0.1"',
      'port = 6432',
      `default_pool_size = ${opts.poolSize}`,
      'log_connections = false',
      'log_disconnections = false',
      'read_write_split = "exclude_primary"',
      'load_balancing_strategy = "round_robin"',
      '',
      host(primaryPort, 'primary'),
      ...replicaPorts.map((p) => host(p, 'replica')),
    ].join('\n'),
    users: `[[users]]\nname = "${USER}"\npassword = "${PASSWORD}"\ndatabase = "${DATABASE}"\n`,
  };
}

/** @param {{ pgdog: string, users: string }} files @returns {Promise<{ port: number, pid: number, stop(): Promise<void> }>} */
async function startPgdog(files) {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-bench-replicas-'));
  trackDir(dir);
  writeFileSync(join(dir, 'pgdog.toml'), files.pgdog);
  writeFileSync(join(dir, 'users.toml'), files.users, { mode: 0o600 });
  const child = spawn(process.execPath, [join(here, 'pgdog-child.mjs'), join(dir, 'pgdog.toml'), join(dir, 'users.toml')], { stdio: ['pipe', 'pipe', 'inherit'] });
  trackChild(child);
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`pgdog exited with ${code}`)));
  });
  const { port } = JSON.parse(/** @type {string} */ (line));
  return {
    port,
    pid: /** @type {number} */ (child.pid),
    stop: async () => {
      await stopChild(child, 'SIGTERM');
      removeDir(dir);
    },
  };
}

let code = 0;
try {
  log('starting a primary and two streaming replicas');
  const { primary, replicas } = await startPrimaryWithReplicas(
    2,
    { users: [{ name: USER, password: PASSWORD, auth: 'scram' }], databases: [{ name: DATABASE, owner: USER }], settings: { shared_buffers: '256MB' } },
  );
  const env = primary.env(USER, PASSWORD, DATABASE);
  log(`pgbench -i -s ${opts.scale}`);
  const init = await run(/** @type {string} */ (pgbench), ['-i', '-q', '-s', String(opts.scale)], { ...process.env, ...env }, 600_000);
  if (init.code !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  for (const r of replicas) await primary.waitForReplay(r, 120_000);

  const one = await startPgdog(config(primary.port, [replicas[0].port]));
  const two = await startPgdog(config(primary.port, replicas.map((r) => r.port)));
  const targets = [
    { name: 'one replica', port: one.port, pid: one.pid },
    { name: 'two replicas', port: two.port, pid: two.pid },
  ];
  const bench = { name: `S-simple-c${opts.clients}`, script: /** @type {'S'} */ ('S'), mode: /** @type {'simple'} */ ('simple'), clients: opts.clients };
  /** @type {Record<string, { tps: number[], cpu: number[] }>} */
  const results = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const target of targets) {
      const r = await runPgbench({ pgbench: /** @type {string} */ (pgbench), bench, target, round, duration: opts.duration, jobs: 2, env: { PGUSER: USER, PGPASSWORD: PASSWORD, PGDATABASE: DATABASE } });
      if (r.error !== null || r.tps === null) throw new Error(`${target.name}: ${r.error}`);
      log(`round ${round} ${target.name}: ${r.tps.toFixed(0)} tps, pgdog ${r.proxyCpuUsPerTx?.toFixed(1)} us/tx`);
      const slot = (results[target.name] ??= { tps: [], cpu: [] });
      slot.tps.push(r.tps);
      if (r.proxyCpuUsPerTx !== null) slot.cpu.push(r.proxyCpuUsPerTx);
    }
  }
  const base = median(results['one replica'].tps);
  process.stdout.write(`\n${bench.name}, ${opts.duration} s x ${opts.rounds} rounds, pool ${opts.poolSize} per replica\n`);
  process.stdout.write(`target        ${'TPS per round'.padEnd(24)} median   vs one   pgdog us/tx\n`);
  for (const t of targets) {
    const r = results[t.name];
    const m = median(r.tps);
    process.stdout.write(`${t.name.padEnd(13)} ${r.tps.map((x) => x.toFixed(0)).join(' / ').padEnd(24)} ${m.toFixed(0).padStart(6)}   ${(m / base).toFixed(2).padStart(5)}   ${median(r.cpu).toFixed(1).padStart(6)}\n`);
  }
  await one.stop();
  await two.stop();
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
  code = 1;
} finally {
  await stopAll();
}
process.exit(code);
