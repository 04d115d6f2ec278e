// pgdog started in-process on a sharded config written as TOML (the public config shape:
// [[databases]] with shard =, [[sharded_tables]], [[omnisharded_tables]]) and loaded through the
// compiler, as `pgdog serve` does. Clients log in with auth_type = "trust" so the raw protocol
// client (COPY, exact frames) can talk to pgdog as easily as node-postgres.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';
import type { PgServer } from '@pgdog/testing';
import { createLogger } from '../../../src/log.js';
import { startServer, type RunningServer } from '../../../src/server.js';

type TomlValue = string | number | boolean | readonly string[];

/** One shard of a logical database: a database on a test server. */
export interface ShardSpec {
  readonly server: PgServer;
  readonly database: string;
}

export interface LogicalDatabase {
  readonly name: string;
  readonly shards: readonly ShardSpec[];
  /** Hash-sharded by this bigint column in every table that has it (column-only entry). */
  readonly shardingColumn?: string;
  readonly omnisharded?: readonly string[];
}

export interface ShardedPgdogOptions {
  readonly databases: readonly LogicalDatabase[];
  readonly users: readonly { name: string; database: string; cross_shard_disabled?: boolean }[];
  readonly general?: Record<string, TomlValue>;
}

export interface ShardedPgdog {
  readonly server: RunningServer;
  readonly port: number;
  readonly configDir: string;
  stop(): Promise<void>;
}

export function tomlTable(header: string, entries: Record<string, TomlValue | undefined>): string {
  const lines = [header];
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue;
    const text = Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : typeof v === 'string' ? JSON.stringify(v) : String(v);
    lines.push(`${k} = ${text}`);
  }
  return `${lines.join('\n')}\n\n`;
}

/** pgdog.toml and users.toml text. Pure. */
export function shardedConfigToml(opts: ShardedPgdogOptions): { pgdog: string; users: string } {
  let pgdog = tomlTable('[general]', {
    host: '127.0.0.1',
    port: 6432,
    auth_type: 'trust',
    log_connections: false,
    log_disconnections: false,
    ...opts.general,
  });
  for (const db of opts.databases) {
    db.shards.forEach((s, i) => {
      pgdog += tomlTable('[[databases]]', { name: db.name, host: '127.0.0.1', port: s.server.port, database_name: s.database, shard: i });
    });
    if (db.shardingColumn !== undefined) {
      pgdog += tomlTable('[[sharded_tables]]', { database: db.name, column: db.shardingColumn, data_type: 'bigint' });
    }
    if (db.omnisharded !== undefined && db.omnisharded.length > 0) {
      pgdog += tomlTable('[[omnisharded_tables]]', { database: db.name, tables: db.omnisharded });
    }
  }
  let users = '';
  for (const u of opts.users) users += tomlTable('[[users]]', { name: u.name, database: u.database, password: 'unused-with-trust', cross_shard_disabled: u.cross_shard_disabled });
  return { pgdog, users };
}

/** Loads TOML text through the compiler and starts pgdog on a free port. */
export async function startPgdogFromToml(pgdogToml: string, usersToml: string): Promise<ShardedPgdog> {
  const configDir = mkdtempSync(join(tmpdir(), 'pgdog-sharded-'));
  writeFileSync(join(configDir, 'pgdog.toml'), pgdogToml);
  writeFileSync(join(configDir, 'users.toml'), usersToml);
  const loaded = await loadConfig({ configPath: join(configDir, 'pgdog.toml'), usersPath: join(configDir, 'users.toml') });
  if (loaded.config === null) throw new Error(`test config invalid: ${JSON.stringify(loaded.errors, null, 2)}\n${pgdogToml}`);
  const logger = createLogger({ level: process.env.PGDOG_TEST_LOG ?? 'silent' });
  const server = await startServer(loaded.config, { port: 0, logger });
  return {
    server,
    port: server.port,
    configDir,
    stop: async () => {
      await server.close(false);
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

export function startShardedPgdog(opts: ShardedPgdogOptions): Promise<ShardedPgdog> {
  const { pgdog, users } = shardedConfigToml(opts);
  return startPgdogFromToml(pgdog, users);
}

/** The superuser every shard database is created for; trusted by the test servers. */
export const APP_USER = 'app';
export const STRICT_USER = 'strict';

/** Creates `names` on `server`, owned by the trusted app user. */
export async function createShardDatabases(server: PgServer, names: readonly string[]): Promise<void> {
  for (const name of names) await server.createDatabase({ name, owner: APP_USER });
}

/** Test-server options: the app user (and `strict`) log in without a password. */
export const SHARD_SERVER_OPTIONS = {
  users: [
    { name: APP_USER, auth: 'trust' as const, superuser: true },
    { name: STRICT_USER, auth: 'trust' as const, superuser: true },
  ],
};
