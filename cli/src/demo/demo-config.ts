// pgdog.toml and users.toml for the demo: one database served by a primary and a streaming
// replica (reads on the replica, writes on the primary), one SCRAM user. Pure.

export interface DemoConfigInput {
  readonly host: string;
  readonly port: number;
  readonly primaryPort: number;
  readonly replicaPorts: readonly number[];
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
  ].join('\n');
  const usersToml = [
    '# Written by `pgdog demo`; removed when the demo stops.',
    '[[users]]',
    `name = ${q(input.user)}`,
    `password = ${q(input.password)}`,
    `database = ${q(input.database)}`,
    '',
  ].join('\n');
  return { pgdogToml, usersToml };
}
