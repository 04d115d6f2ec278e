// pgdog.toml and users.toml for the demo. Two databases: "pgdog", a primary with a streaming
// replica (reads on the replica, writes on the primary), and "pgdog_sharded", two shard primaries
// with users / orders hash-sharded by user id and countries on every shard. One SCRAM user. Pure.

import { OMNISHARDED_TABLES, SHARDED_DATABASE, SHARDED_TABLES, shardDatabaseName } from './sharded-schema.js';

export interface DemoConfigInput {
  readonly host: string;
  readonly port: number;
  readonly primaryPort: number;
  readonly replicaPorts: readonly number[];
  /** Port of shard i's server, in shard order. */
  readonly shardPorts: readonly number[];
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

export interface DemoConfigFiles {
  readonly pgdogToml: string;
  readonly usersToml: string;
}

export function demoConfig(input: DemoConfigInput): DemoConfigFiles {
  const q = JSON.stringify;
  const host = (port: number, role: 'primary' | 'replica'): string =>
    `[[databases]]\nname = ${q(input.database)}\nhost = "127.0.0.1"\nport = ${port}\nrole = "${role}"\n`;
  const shard = (port: number, i: number): string =>
    `[[databases]]\nname = ${q(SHARDED_DATABASE)}\nhost = "127.0.0.1"\nport = ${port}\ndatabase_name = ${q(shardDatabaseName(i))}\nshard = ${i}\n`;
  const shardedTable = ([table, column]: readonly [string, string]): string =>
    `[[sharded_tables]]\ndatabase = ${q(SHARDED_DATABASE)}\nname = ${q(table)}\ncolumn = ${q(column)}\ndata_type = "bigint"\n`;
  const pgdogToml = [
    '# Written by `pgdog demo`; removed when the demo stops.',
    '[general]',
    `host = ${q(input.host)}`,
    `port = ${input.port}`,
    'default_pool_size = 10',
    '# Reads go to the replica, writes (and transactions) to the primary.',
    'read_write_split = "exclude_primary"',
    '',
    host(input.primaryPort, 'primary'),
    ...input.replicaPorts.map((p) => host(p, 'replica')),
    '# The sharded database: one primary per shard.',
    ...input.shardPorts.map(shard),
    '# An order lives on the shard of its user: both tables hash the same user id.',
    ...SHARDED_TABLES.map(shardedTable),
    '# Small reference tables: a full copy on every shard, written everywhere, read from one.',
    '[[omnisharded_tables]]',
    `database = ${q(SHARDED_DATABASE)}`,
    `tables = [${OMNISHARDED_TABLES.map((t) => q(t)).join(', ')}]`,
    '',
  ].join('\n');
  const user = (database: string): string =>
    `[[users]]\nname = ${q(input.user)}\npassword = ${q(input.password)}\ndatabase = ${q(database)}\n`;
  const usersToml = ['# Written by `pgdog demo`; removed when the demo stops.', user(input.database), user(SHARDED_DATABASE)].join('\n');
  return { pgdogToml, usersToml };
}
