// node-postgres clients that keep every value as the server's text: results from pgdog and from
// plain PostgreSQL are then compared byte for byte, with nothing parsed or rounded in between.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface QueryResultText {
  readonly fields: readonly string[];
  readonly rows: readonly (readonly (string | null)[])[];
  readonly command: string;
  readonly rowCount: number | null;
}

interface PgResult {
  fields: { name: string }[];
  rows: (string | null)[][];
  command: string;
  rowCount: number | null;
}

export interface TextClient {
  /** Simple protocol when `params` is undefined and `mode` is not 'extended'; else Parse/Bind/Execute. */
  query(sql: string, params?: readonly (string | null)[], mode?: 'simple' | 'extended'): Promise<QueryResultText>;
  end(): Promise<void>;
}

interface RawPgClient {
  connect(): Promise<void>;
  query(cfg: object): Promise<PgResult>;
  end(): Promise<void>;
  on(event: string, listener: (arg: unknown) => void): unknown;
}
const pg = require('pg') as { Client: new (config: object) => RawPgClient };

const asText = { getTypeParser: () => (v: string) => v };

export async function connectText(host: string, port: number, user: string, database: string, applicationName?: string): Promise<TextClient> {
  const client = new pg.Client({ host, port, user, database, ssl: false, connectionTimeoutMillis: 10_000, application_name: applicationName });
  client.on('error', () => {});
  await client.connect();
  return {
    async query(sql, params, mode = 'simple') {
      const cfg: Record<string, unknown> = { text: sql, rowMode: 'array', types: asText };
      if (params !== undefined) cfg.values = params;
      else if (mode === 'extended') cfg.queryMode = 'extended';
      const r = await client.query(cfg);
      return { fields: r.fields.map((f) => f.name), rows: r.rows, command: r.command, rowCount: r.rowCount };
    },
    end: () => client.end(),
  };
}

/** The message of a query's error, or null when it succeeded. */
export async function errorOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
