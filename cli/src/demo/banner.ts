// What the demo prints once pgdog is up. Pure.

import { isAbsolute, relative } from 'node:path';
import { EXAMPLE_QUERIES } from './sample-schema.js';
import { ROUTE_EXAMPLE_SQL, SHARDED_DATABASE, SHARDED_EXAMPLES, shardDatabaseName } from './sharded-schema.js';

export interface BannerInput {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly primaryPort: number;
  readonly replicaPorts: readonly number[];
  /** Port of shard i's server, in shard order. */
  readonly shardPorts: readonly number[];
  readonly configDir: string;
  readonly dataDir: string | null;
  /** How to run the pgdog CLI from the user's shell, e.g. `node cli/bin/run.js`. */
  readonly pgdogCommand: string;
  /** null: wait for Ctrl-C. */
  readonly exitAfterSec: number | null;
}

/** Where a client reaches a listener on `host`: loopback when it listens on every address. */
export function clientHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/** The line users copy; the demo's test waits for it too. */
export function connectCommand(b: Pick<BannerInput, 'host' | 'port' | 'user' | 'password' | 'database'>): string {
  return `psql "postgres://${b.user}:${b.password}@${clientHost(b.host)}:${b.port}/${b.database}"`;
}

/** A word for a POSIX shell: as is when nothing in it is special, else single-quoted. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `node <bin>`, the bin relative to the shell's directory when it lies below it. */
export function pgdogCommandFor(cwd: string, bin: string): string {
  const rel = relative(cwd, bin);
  return `node ${shellWord(rel === '' || rel.startsWith('..') || isAbsolute(rel) ? bin : rel)}`;
}

export function bannerLines(b: BannerInput): string[] {
  const who = { user: b.user, password: b.password };
  const direct = (port: number, database: string, what: string): string =>
    `  ${connectCommand({ ...who, host: '127.0.0.1', port, database })}   # ${what}`;
  const config = `${b.configDir}/pgdog.toml`;
  const users = `${b.configDir}/users.toml`;
  const route = [b.pgdogCommand, 'route', '-c', shellWord(config), '-u', shellWord(users), '-d', SHARDED_DATABASE, shellWord(ROUTE_EXAMPLE_SQL)].join(' ');
  return [
    '',
    `pgdog is serving on ${b.host}:${b.port}`,
    `  database "${b.database}": a primary with a streaming replica`,
    `  primary  127.0.0.1:${b.primaryPort}`,
    ...b.replicaPorts.map((p) => `  replica  127.0.0.1:${p} (streaming from the primary; serves the reads)`),
    `  database "${SHARDED_DATABASE}": ${b.shardPorts.length} shards; users and orders sharded by user id, countries on every shard`,
    ...b.shardPorts.map((p, i) => `  shard ${i}  127.0.0.1:${p}/${shardDatabaseName(i)}`),
    `  config   ${config}, ${users}`,
    ...(b.dataDir !== null ? [`  data     ${b.dataDir}`] : []),
    '',
    'Connect through pgdog:',
    '',
    `  ${connectCommand(b)}`,
    `  ${connectCommand({ ...b, database: SHARDED_DATABASE })}`,
    '',
    'or to one server directly, to see where rows are:',
    '',
    direct(b.primaryPort, b.database, 'primary'),
    ...b.replicaPorts.map((p) => direct(p, b.database, 'replica')),
    ...b.shardPorts.map((p, i) => direct(p, shardDatabaseName(i), `shard ${i}`)),
    '',
    `In ${b.database}, try:`,
    '',
    ...EXAMPLE_QUERIES.map((q) => `  ${q}`),
    '',
    'Reads run on the replica and writes on the primary: compare SELECT inet_server_port();',
    'with INSERT ... RETURNING inet_server_port();',
    '',
    `In ${SHARDED_DATABASE}, try:`,
    '',
    ...SHARDED_EXAMPLES.flatMap((e) => [`  -- ${e.note}`, `  ${e.sql}`]),
    '',
    'Where would a query go? A dry run (nothing is sent):',
    '',
    `  ${route}`,
    '',
    b.exitAfterSec === null
      ? 'Press Ctrl-C to stop pgdog and remove the servers and their files.'
      : b.exitAfterSec === 0
        ? 'Stopping right away (--no-wait).'
        : `Stopping by itself in ${b.exitAfterSec} s (--exit-after).`,
    '',
  ];
}
