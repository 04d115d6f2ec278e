// Shared by the end-to-end tests: pgdog started in-process from TOML written to a temp dir and
// loaded through the compiler (the real config path), plus async runners for psql / pgbench and a
// raw protocol client for the malformed-input cases. Clients run as subprocesses asynchronously:
// a synchronous spawn would block the event loop that serves them.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';
import type { PgServer } from '@pgdog/testing';
import { createLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/server.js';

const require = createRequire(import.meta.url);

/** The node-postgres calls the tests use (pg ships no types). */
export interface PgClient {
  connect(): Promise<void>;
  query(q: string | { name?: string; text: string; values?: unknown[] }, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; command: string; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: string, listener: (arg: any) => void): unknown;
  processID: number;
  secretKey: number;
  connection: { on(event: string, listener: (msg: any) => void): unknown; stream: net.Socket };
}
export const pg = require('pg') as { Client: new (config: object) => PgClient };

export interface UserToml {
  name: string;
  password?: string;
  passwords?: string[];
  password_hash?: string;
  server_user?: string;
  server_password?: string;
  database?: string;
  databases?: string[];
  pooler_mode?: string;
  pool_size?: number;
}

export interface PgdogOptions {
  /** Extra [general] keys (TOML values as JS numbers / strings / booleans). */
  general?: Record<string, string | number | boolean>;
  /** [[databases]] entries; default one "appdb" on the given server. */
  databases?: { name: string; port: number; database_name?: string; pooler_mode?: string; pool_size?: number; role?: string; lb_weight?: number; shard?: number }[];
  users: UserToml[];
  /** [[query_rules]] entries. */
  rules?: { name: string; match: string; route: string; message?: string; database?: string; user?: string }[];
  /** For load_balancing_strategy = "random": a seeded generator makes the spread repeatable. */
  random?: () => number;
}

export interface Pgdog {
  readonly server: RunningServer;
  readonly port: number;
  readonly dir: string;
  /** libpq environment for a client of pgdog. */
  env(user: string, password: string | undefined, database: string): Record<string, string>;
  config(user: string, password: string | undefined, database: string): { host: string; port: number; user: string; password?: string; database: string };
  stop(graceful?: boolean): Promise<void>;
}

function tomlValue(v: string | number | boolean | string[]): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function tomlTable(header: string, entries: object): string {
  const lines = [header];
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) lines.push(`${k} = ${tomlValue(v as string)}`);
  return lines.join('\n') + '\n';
}

/** Writes pgdog.toml / users.toml, loads them with loadConfig and starts pgdog on a free port. */
export async function startPgdog(opts: PgdogOptions): Promise<Pgdog> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-e2e-'));
  const general = { host: '127.0.0.1', port: 6432, log_connections: false, log_disconnections: false, ...opts.general };
  let pgdogToml = tomlTable('[general]', general);
  for (const db of opts.databases ?? []) pgdogToml += '\n' + tomlTable('[[databases]]', { host: '127.0.0.1', ...db });
  for (const r of opts.rules ?? []) pgdogToml += '\n' + tomlTable('[[query_rules]]', r);
  let usersToml = '';
  for (const u of opts.users) usersToml += tomlTable('[[users]]', u) + '\n';
  writeFileSync(join(dir, 'pgdog.toml'), pgdogToml);
  writeFileSync(join(dir, 'users.toml'), usersToml);
  const loaded = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
  if (loaded.config === null) throw new Error(`test config invalid: ${JSON.stringify(loaded.errors, null, 2)}`);
  const logger = createLogger({ level: process.env.PGDOG_TEST_LOG ?? 'silent' });
  const server = await startServer(loaded.config, { port: 0, logger, random: opts.random });
  const port = server.port;
  return {
    server,
    port,
    dir,
    env: (user, password, database) => ({
      PGHOST: '127.0.0.1',
      PGPORT: String(port),
      PGUSER: user,
      ...(password === undefined ? {} : { PGPASSWORD: password }),
      PGDATABASE: database,
      PGSSLMODE: 'disable',
      PGGSSENCMODE: 'disable',
      PGCONNECT_TIMEOUT: '10',
    }),
    config: (user, password, database) => ({ host: '127.0.0.1', port, user, password, database }),
    stop: async (graceful = false) => {
      await server.close(graceful);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary without blocking the event loop. */
export function runBin(bin: string, args: string[], env: Record<string, string>, timeoutMs = 60_000, input?: string): Promise<ProcResult> {
  return new Promise((resolve) => {
    const child = execFile(bin, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** psql -X -A -t with ON_ERROR_STOP, against pgdog. */
export function psql(pgServer: PgServer, env: Record<string, string>, sql: string, extra: string[] = []): Promise<ProcResult> {
  return runBin(pgServer.pgbin('psql')!, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', ...extra, '-c', sql], env);
}

/** A connected pg.Client (caller ends it); errors on the idle client are swallowed. */
export async function pgConnect(cfg: object): Promise<PgClient> {
  const client = new pg.Client({ ssl: false, connectionTimeoutMillis: 10_000, ...cfg });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `p`, or a rejection naming `what` after `ms`: a hang in a test becomes a failure. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A CancelRequest on a connection of its own, as libpq sends it; resolves when pgdog closes it. */
export function sendCancelRequest(port: number, pid: number, secret: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(pid, 8);
      b.writeInt32BE(secret, 12);
      s.end(b);
    });
    s.on('error', reject);
    s.on('close', () => resolve());
    s.resume();
  });
}
