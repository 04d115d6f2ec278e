// `pgdog demo`: throwaway PostgreSQL servers (a primary with a streaming replica, and two shard
// primaries) with sample data, served by pgdog until Ctrl-C (or --exit-after), then everything is
// stopped and its files removed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgServer } from '@pgdog/testing';
import { ExitCode } from '../exit-codes.js';
import { bannerLines, clientHost } from './banner.js';
import { demoConfig } from './demo-config.js';
import { isListenError, portIsFree } from './port-check.js';
import { SAMPLE_SCHEMA_SQL } from './sample-schema.js';
import { SHARD_COUNT, SHARDED_DATABASE, SHARDED_SCHEMA_SQL, shardDatabaseName } from './sharded-schema.js';
import { listenForStop } from './stop-signal.js';

export const DEMO_USER = 'pgdog';
export const DEMO_PASSWORD = 'pgdog';
export const DEMO_DATABASE = 'pgdog';

export interface DemoOptions {
  readonly host: string;
  readonly port: number;
  /** Stop by itself after this many seconds; null waits for a signal. 0 stops right after start-up. */
  readonly exitAfterSec: number | null;
  /** How to run the pgdog CLI from the user's shell (printed in the dry-run example). */
  readonly pgdogCommand: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export async function runDemo(opts: DemoOptions): Promise<ExitCode> {
  if (!(await portIsFree(opts.host, opts.port))) {
    opts.err(busyPortMessage(opts.host, opts.port));
    return ExitCode.Usage;
  }
  // Only now: the harness and the runtime are not needed for the busy-port answer.
  const [testing, compiler, runtime, report, loader] = await Promise.all([
    import('@pgdog/testing'),
    import('@pgdog/compiler'),
    import('@pgdog/runtime'),
    import('../validate-report.js'),
    import('./load-through-pgdog.js'),
  ]);
  const configDir = mkdtempSync(join(tmpdir(), 'pgdog-demo-'));
  const stop = listenForStop(() => {
    opts.err('second signal: exiting now');
    rmSync(configDir, { recursive: true, force: true });
    // The harness' exit hook still stops the PostgreSQL servers.
    process.exit(ExitCode.Invalid);
  });
  let server: Awaited<ReturnType<typeof runtime.startServer>> | null = null;
  try {
    opts.out(`starting throwaway PostgreSQL servers: a primary with a streaming replica, and ${SHARD_COUNT} shards...`);
    const users = [{ name: DEMO_USER, password: DEMO_PASSWORD, auth: 'scram' as const }];
    const [{ primary, replicas }, ...shards] = await Promise.all([
      testing.startPrimaryWithReplicas(1, { users, databases: [{ name: DEMO_DATABASE, owner: DEMO_USER }] }),
      ...Array.from({ length: SHARD_COUNT }, (_, i) => testing.startPostgres({ users, databases: [{ name: shardDatabaseName(i), owner: DEMO_USER }] })),
    ]);
    const shardPorts = shards.map((s) => s.port);
    opts.out(`loading the sample schema (countries, users, orders) into "${DEMO_DATABASE}"...`);
    await loadSampleSchema(primary);

    const files = demoConfig({
      host: opts.host,
      port: opts.port,
      primaryPort: primary.port,
      replicaPorts: replicas.map((r) => r.port),
      shardPorts,
      database: DEMO_DATABASE,
      user: DEMO_USER,
      password: DEMO_PASSWORD,
    });
    const configPath = join(configDir, 'pgdog.toml');
    const usersPath = join(configDir, 'users.toml');
    writeFileSync(configPath, files.pgdogToml);
    writeFileSync(usersPath, files.usersToml, { mode: 0o600 });
    const loaded = await compiler.loadConfig({ configPath, usersPath });
    if (loaded.config === null) {
      // The demo writes this config itself, so this is a bug, not a user error.
      for (const d of loaded.errors) for (const line of report.formatDiagnostic(d)) opts.err(line);
      return ExitCode.Invalid;
    }
    const general = loaded.config.pgdog.general;
    const logger = runtime.createLogger({ level: general.log_level, format: general.log_format });
    try {
      server = await runtime.startServer(loaded.config, { host: opts.host, port: opts.port, logger });
    } catch (err) {
      // Taken between the check above and now.
      if (!isListenError(err)) throw err;
      opts.err(busyPortMessage(opts.host, opts.port));
      return ExitCode.Usage;
    }
    opts.out(`loading the same rows into "${SHARDED_DATABASE}" through pgdog: the DDL goes to every shard, each row to its shard...`);
    const login = { host: clientHost(opts.host), port: server.port, user: DEMO_USER, password: DEMO_PASSWORD, database: SHARDED_DATABASE };
    await Promise.all([loader.runThroughPgdog(login, SHARDED_SCHEMA_SQL), ...replicas.map((r) => primary.waitForReplay(r, 30_000))]);
    for (const line of bannerLines({
      host: opts.host,
      port: server.port,
      user: DEMO_USER,
      password: DEMO_PASSWORD,
      database: DEMO_DATABASE,
      primaryPort: primary.port,
      replicaPorts: replicas.map((r) => r.port),
      shardPorts,
      configDir,
      dataDir: testing.currentSessionDir(),
      pgdogCommand: opts.pgdogCommand,
      exitAfterSec: opts.exitAfterSec,
    })) {
      opts.out(line);
    }
    const why = await waitForStop(stop.received, opts.exitAfterSec);
    opts.out(`${why}: stopping pgdog and the PostgreSQL servers...`);
    return ExitCode.Ok;
  } catch (err) {
    // A Ctrl-C during set-up kills the servers under our feet; that is a stop, not a failure.
    if (stop.requested()) return ExitCode.Ok;
    throw err;
  } finally {
    if (server !== null) await server.close(false);
    await testing.stopAll();
    rmSync(configDir, { recursive: true, force: true });
    stop.dispose();
    opts.out('stopped; the servers and their files are removed');
  }
}

export function busyPortMessage(host: string, port: number): string {
  return `port ${port} on ${host} is already in use: stop whatever listens there, or pick another port with --port`;
}

async function loadSampleSchema(primary: PgServer): Promise<void> {
  // As the demo user, so that it owns the tables it will query through pgdog.
  const client = await primary.connect(DEMO_USER, DEMO_PASSWORD, DEMO_DATABASE);
  try {
    for (const sql of SAMPLE_SCHEMA_SQL) await client.query(sql);
  } finally {
    await client.end();
  }
}

async function waitForStop(signal: Promise<NodeJS.Signals>, exitAfterSec: number | null): Promise<string> {
  if (exitAfterSec === null) return `${await signal} received`;
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`--exit-after ${exitAfterSec} s elapsed`), exitAfterSec * 1000);
  });
  try {
    return await Promise.race([signal.then((s) => `${s} received`), elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
