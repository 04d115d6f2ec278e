// What the demo prints once pgdog is up. Pure.

import { EXAMPLE_QUERIES } from './sample-schema.js';

export interface BannerInput {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly primaryPort: number;
  readonly replicaPorts: readonly number[];
  readonly configDir: string;
  readonly dataDir: string | null;
  /** null: wait for Ctrl-C. */
  readonly exitAfterSec: number | null;
}

/** The line users copy; the demo's test waits for it too. */
export function connectCommand(b: Pick<BannerInput, 'host' | 'port' | 'user' | 'password' | 'database'>): string {
  const host = b.host === '0.0.0.0' || b.host === '::' ? '127.0.0.1' : b.host;
  return `psql "postgres://${b.user}:${b.password}@${host}:${b.port}/${b.database}"`;
}

export function bannerLines(b: BannerInput): string[] {
  return [
    '',
    `pgdog is serving database "${b.database}" on ${b.host}:${b.port}`,
    `  primary  127.0.0.1:${b.primaryPort}`,
    ...b.replicaPorts.map((p) => `  replica  127.0.0.1:${p} (streaming from the primary; serves the reads)`),
    `  config   ${b.configDir}/pgdog.toml, ${b.configDir}/users.toml`,
    ...(b.dataDir !== null ? [`  data     ${b.dataDir}`] : []),
    '',
    'Connect with:',
    '',
    `  ${connectCommand(b)}`,
    '',
    'and try:',
    '',
    ...EXAMPLE_QUERIES.map((q) => `  ${q}`),
    '',
    'Reads run on the replica and writes on the primary: compare SELECT inet_server_port();',
    'with INSERT ... RETURNING inet_server_port();',
    '',
    b.exitAfterSec === null
      ? 'Press Ctrl-C to stop pgdog and remove the servers and their files.'
      : b.exitAfterSec === 0
        ? 'Stopping right away (--no-wait).'
        : `Stopping by itself in ${b.exitAfterSec} s (--exit-after).`,
    '',
  ];
}
