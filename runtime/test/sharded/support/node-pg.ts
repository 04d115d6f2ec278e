// node-postgres (`pg`) as the sharded tests use it: a typed Client and a connected one on pgdog.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface PgClient {
  connect(): Promise<void>;
  query(cfg: object | string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: string, listener: (arg: unknown) => void): unknown;
}

export const pg = require('pg') as { Client: new (config: object) => PgClient };

/** A pg client logged in to pgdog on `port` (trust), errors after the end ignored. */
export async function connectPg(port: number, user: string, database: string): Promise<PgClient> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, database, ssl: false });
  c.on('error', () => {});
  await c.connect();
  return c;
}
