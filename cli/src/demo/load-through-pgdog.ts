// Runs the sharded database's set-up statements as a client of pgdog (simple protocol), so that
// pgdog itself sends the DDL to every shard and each row to its shard. The runtime's own
// PostgreSQL client is used: pgdog speaks the protocol of a server to it like any other client.

import { ServerConnection } from '@pgdog/runtime';

export interface PgdogLogin {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

const CONNECT_TIMEOUT_MS = 10_000;
const STATEMENT_TIMEOUT_MS = 60_000;

export async function runThroughPgdog(login: PgdogLogin, statements: readonly string[]): Promise<void> {
  const conn = await ServerConnection.connect(
    { host: login.host, port: login.port },
    {
      user: login.user,
      password: login.password,
      database: login.database,
      applicationName: 'pgdog demo',
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      tls: { mode: 'disabled' },
    },
  );
  try {
    for (const sql of statements) {
      try {
        await conn.runInternal(sql, STATEMENT_TIMEOUT_MS);
      } catch (err) {
        const first = sql.split('\n', 1)[0]!.trim();
        throw new Error(`loading ${login.database} through pgdog failed at \`${first}\`: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    conn.close('demo data loaded');
  }
}
