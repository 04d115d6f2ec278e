#!/usr/bin/env node
// `npm run bench`: pgbench against direct PostgreSQL, PgBouncer (when installed) and pgdog, side by
// side in one run on one throwaway server. Per case, the targets are interleaved within each round
// (direct, pgbouncer, pgdog, then again), so slow drift of the machine hits every target alike.
// Prints TPS per round, medians, ratios to PgBouncer and to direct, average latency and the proxy's
// CPU per transaction, and writes everything to bench/results/latest.json.
// Method and reference numbers: see bench/README.md.

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, stopAll, pgbin } from '@pgdog/testing';
import { freePort } from '@pgdog/testing';
import { runsOn, selectCases, withComparisons } from './lib/cases.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { run, runPgbench } from './lib/pgbench.mjs';
import { findPgbouncer, startPgbouncer } from './lib/pgbouncer.mjs';
import { startPgdogChild } from './lib/pgdog.mjs';
import { checkPrepared, checkTargets, formatPrepared, formatTable, formatTargets, summarize } from './lib/summary.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const USER = 'bench';
const PASSWORD = 'bench';
const DATABASE = 'bench';

/** @param {string} msg */
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

let opts;
try {
  opts = parseOptions(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : err}\n${USAGE}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const selected = selectCases(opts.cases);
if (selected.length === 0) {
  process.stderr.write(`--cases ${opts.cases} matches no case\n${USAGE}\n`);
  process.exit(2);
}
// A prepared case is judged against PgBouncer's -M extended run of the same clients.
const cases = opts.targets.includes('pgbouncer') ? withComparisons(selected) : selected;

// An interrupted run still stops its helpers: process.exit runs the 'exit' handlers that
// kill PgBouncer, the pgdog child and the PostgreSQL servers.
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(sig, () => process.exit(130));

const pgbench = pgbin('pgbench');
const psql = pgbin('psql');
if (pgbench === null || psql === null) {
  log('pgbench and psql are needed (apt-get install postgresql-client); the embedded PostgreSQL has neither');
  process.exit(2);
}

/** @type {Array<() => Promise<void>>} */
const cleanups = [];
let exitCode = 0;
try {
  exitCode = await main(/** @type {string} */ (pgbench), /** @type {string} */ (psql));
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
  exitCode = 1;
} finally {
  for (const c of cleanups.reverse()) await c().catch((err) => log(`cleanup: ${err}`));
  await stopAll();
}
process.exit(exitCode);

/**
 * @param {string} pgbenchBin
 * @param {string} psqlBin
 * @returns {Promise<number>}
 */
async function main(pgbenchBin, psqlBin) {
  const t0 = Date.now();
  log('starting PostgreSQL');
  const pg = await startPostgres({
    users: [{ name: USER, password: PASSWORD, auth: 'scram' }],
    databases: [{ name: DATABASE, owner: USER }],
    maxConnections: 300,
    // The harness already runs with fsync and synchronous_commit off: TPC-B measures CPU and
    // network cost, not the disk. The rest matches the reference runs (../shared/reference/perf.md).
    settings: { shared_buffers: '512MB', max_wal_size: '4GB', checkpoint_timeout: '30min' },
  });
  const env = { PGUSER: USER, PGPASSWORD: PASSWORD, PGDATABASE: DATABASE };
  const [{ server_version: pgVersion }] = await pg.query('SHOW server_version');
  log(`PostgreSQL ${pgVersion} on 127.0.0.1:${pg.port}; pgbench -i -s ${opts.scale}`);
  const init = await run(pgbenchBin, ['-i', '-q', '-s', String(opts.scale)], { ...process.env, ...env, ...direct(pg.port) }, 600_000);
  if (init.code !== 0) throw new Error(`pgbench -i failed:\n${init.stderr}`);

  /** @type {import('./lib/pgbench.mjs').Target[]} */
  const targets = [{ name: 'direct', port: pg.port, pid: null }];
  /** @type {Record<string, string>} */
  const versions = { node: process.version, postgresql: String(pgVersion), pgbench: (await run(pgbenchBin, ['--version'], process.env, 10_000)).stdout.trim() };

  if (opts.targets.includes('pgbouncer')) {
    const bin = findPgbouncer();
    if (bin === null) {
      log('pgbouncer not installed: apt-get install pgbouncer (skipping the PgBouncer column)');
    } else {
      const [{ rolpassword: verifier }] = await pg.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [USER]);
      const b = await startPgbouncer({
        bin,
        port: await freePort(),
        serverPort: pg.port,
        database: DATABASE,
        user: USER,
        verifier: String(verifier),
        poolSize: opts.poolSize,
        runAs: pg.install.runAs,
      });
      cleanups.push(b.stop);
      targets.push({ name: 'pgbouncer', port: b.port, pid: b.pid });
      versions.pgbouncer = (await run(bin, ['--version'], process.env, 10_000)).stdout.split('\n')[0].trim();
      log(`PgBouncer on 127.0.0.1:${b.port} (pid ${b.pid}, pool size ${opts.poolSize})`);
    }
  }
  if (opts.targets.includes('pgdog')) {
    const d = await startPgdogChild({
      serverPort: pg.port,
      database: DATABASE,
      user: USER,
      password: PASSWORD,
      poolSize: opts.poolSize,
      workers: opts.workers,
      ...(opts.profile ? { profileDir: join(here, 'results', 'profiles') } : {}),
    });
    cleanups.push(d.stop);
    targets.push({ name: 'pgdog', port: d.port, pid: d.pid });
    log(`pgdog on 127.0.0.1:${d.port} (pid ${d.pid}, pool size ${opts.poolSize}, ${opts.workers} worker(s))`);
  }
  if (opts.baseline !== undefined) {
    const d = await startPgdogChild({ serverPort: pg.port, database: DATABASE, user: USER, password: PASSWORD, poolSize: opts.poolSize, workers: opts.workers, runtimeDir: opts.baseline });
    cleanups.push(d.stop);
    targets.push({ name: 'pgdog-base', port: d.port, pid: d.pid });
    log(`pgdog-base (${opts.baseline}) on 127.0.0.1:${d.port} (pid ${d.pid})`);
  }

  // Fail fast, before minutes of pgbench, when a target cannot even log in.
  for (const t of targets) {
    const r = await run(psqlBin, ['-X', '-A', '-t', '-c', 'SELECT count(*) FROM pgbench_branches'], { ...process.env, ...env, ...direct(t.port) }, 30_000);
    if (r.code !== 0 || r.stdout.trim() !== String(opts.scale)) throw new Error(`${t.name}: login check failed: ${r.stderr.trim() || r.stdout.trim()}`);
  }

  const total = opts.rounds * cases.reduce((n, c) => n + targets.filter((t) => runsOn(c, t.name)).length, 0);
  const warmups = opts.warmup > 0 ? cases.reduce((n, c) => n + targets.filter((t) => t.name !== 'direct' && runsOn(c, t.name)).length, 0) : 0;
  log(`${total} runs x ${opts.duration} s + ${warmups} warm-ups x ${opts.warmup} s ≈ ${Math.ceil((total * (opts.duration + 2) + warmups * (opts.warmup + 2)) / 60)} min (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)})`);
  /** @type {import('./lib/pgbench.mjs').RunResult[]} */
  const runs = [];
  for (const bench of cases) {
    if (opts.warmup > 0) {
      // Unmeasured: a case's first run would otherwise also time pgdog compiling its paths.
      for (const target of targets) {
        if (target.name === 'direct' || !runsOn(bench, target.name)) continue;
        const w = await runPgbench({ pgbench: pgbenchBin, bench, target, round: 0, duration: opts.warmup, jobs: opts.jobs, env });
        if (w.error !== null) log(`${bench.name} ${target.name} warm-up: FAILED ${w.error}`);
      }
    }
    for (let round = 1; round <= opts.rounds; round++) {
      for (const target of targets) {
        if (!runsOn(bench, target.name)) continue;
        const r = await runPgbench({ pgbench: pgbenchBin, bench, target, round, duration: opts.duration, jobs: opts.jobs, env });
        runs.push(r);
        const cpu = r.proxyCpuUsPerTx === null
          ? ''
          : ` proxy ${r.proxyCpuUsPerTx.toFixed(1)} µs/tx (usr ${r.proxyUserUsPerTx?.toFixed(1)}, sys ${r.proxySystemUsPerTx?.toFixed(1)})`;
        log(r.error === null
          ? `${bench.name} ${target.name} round ${round}: ${r.tps?.toFixed(0)} tps, ${r.latencyMs} ms${cpu}, busy ${r.machineBusyPct.toFixed(0)}%, machine ${r.machineCpuUsPerTx?.toFixed(0)} µs/tx, ${r.ctxSwitchesPerTx?.toFixed(1)} cs/tx, ${r.segmentsPerTx?.toFixed(1)} seg/tx`
          : `${bench.name} ${target.name} round ${round}: FAILED ${r.error}`);
      }
    }
  }

  const rows = summarize(runs, cases.map((c) => c.name), targets.map((t) => t.name));
  const checks = targets.some((t) => t.name === 'pgbouncer') && targets.some((t) => t.name === 'pgdog')
    ? checkTargets(rows, new Map(cases.filter((c) => c.mode !== 'prepared').map((c) => [c.name, c.clients])))
    : [];
  const prepared = checkPrepared(rows, cases);
  process.stdout.write(`\n${formatTable(rows)}\n\n${formatTargets(checks)}\n`);
  if (prepared.length > 0) process.stdout.write(`${formatPrepared(prepared)}\n`);
  process.stdout.write(`pgbench -j ${opts.jobs} -T ${opts.duration}, ${opts.rounds} round(s)${opts.warmup > 0 ? ` after a ${opts.warmup} s unmeasured warm-up per case and target` : ''}, median shown; scale ${opts.scale}; pool size ${opts.poolSize}; pgdog workers ${opts.workers} (pool split among them; CPU summed); ${os.cpus().length} CPUs shared by pgbench, proxy and PostgreSQL\n`);

  const jsonPath = resolve(opts.json ?? join(here, 'results', 'latest.json'));
  mkdirSync(dirname(jsonPath), { recursive: true });
  const result = {
    date: new Date().toISOString(),
    elapsedSec: Math.round((Date.now() - t0) / 1000),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? null, totalMemBytes: os.totalmem() },
    versions,
    options: { ...opts, cases: cases.map((c) => c.name), targets: targets.map((t) => t.name) },
    runs,
    summary: rows,
    targets: checks,
    preparedVsExtended: prepared,
  };
  writeFileSync(jsonPath, JSON.stringify(result, null, 2) + '\n');
  log(`results: ${jsonPath}`);
  return runs.some((r) => r.error !== null) ? 1 : 0;
}

/** @param {number} port */
function direct(port) {
  return { PGHOST: '127.0.0.1', PGPORT: String(port), PGSSLMODE: 'disable', PGGSSENCMODE: 'disable' };
}
