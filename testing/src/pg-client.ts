import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** Connection parameters for `pg` (and anything else that takes host/port/user/password/database). */
export interface ConnectionConfig {
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}

/** The subset of pg's QueryResult the harness exposes. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number | null;
  command: string;
}

/** The subset of pg.Client the harness exposes (kept local: pg ships no type declarations). */
export interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  end(): Promise<void>;
  on(event: 'error' | 'notice' | 'notification' | 'end', listener: (arg: unknown) => void): unknown;
}

interface PgPool {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult<unknown> | QueryResult<unknown>[]>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

interface PgModule {
  Client: new (cfg: object) => PgClient & { connection: EventEmitter };
  Pool: new (cfg: object) => PgPool;
}

const pg = createRequire(import.meta.url)('pg') as PgModule;

// TLS is never configured on test servers; say so rather than rely on pg's defaults.
const base = { ssl: false, connectionTimeoutMillis: 10_000 };

/** A new, not yet connected pg.Client. */
export function newClient(cfg: ConnectionConfig): PgClient {
  return new pg.Client({ ...base, ...cfg });
}

/** Connects a pg.Client; the caller must end() it. */
export async function connectClient(cfg: ConnectionConfig): Promise<PgClient> {
  const client = newClient(cfg);
  await client.connect();
  return client;
}

/** Small pool for the harness's own superuser queries; idle errors (server killed) are expected. */
export function newPool(cfg: ConnectionConfig): PgPool {
  const pool = new pg.Pool({ ...base, ...cfg, max: 4, idleTimeoutMillis: 2_000, allowExitOnIdle: true });
  pool.on('error', () => {});
  return pool;
}

/** Rows of the last statement (a multi-statement simple query yields one result per statement). */
export function lastRows<R>(res: QueryResult<unknown> | QueryResult<unknown>[]): R[] {
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  return (last?.rows ?? []) as R[];
}

/** The authentication request the server sent, as seen by the client. */
export type ObservedAuth = 'trust' | 'password' | 'md5' | 'scram-sha-256';

export interface AuthProbe {
  /** null when the connection failed before any authentication request (e.g. refused). */
  readonly method: ObservedAuth | null;
  readonly ok: boolean;
  /** Server error (e.g. 28P01 password authentication failed) when ok is false. */
  readonly error?: Error & { code?: string };
}

/**
 * Logs in once and reports which method the server asked for. Useful against PostgreSQL
 * (is pg_hba/password storage what the test assumes?) and against pgdog's client side.
 */
export async function probeAuth(cfg: ConnectionConfig): Promise<AuthProbe> {
  const client = new pg.Client({ ...base, ...cfg });
  let method: ObservedAuth | null = null;
  const con = client.connection;
  con.once('authenticationCleartextPassword', () => (method ??= 'password'));
  con.once('authenticationMD5Password', () => (method ??= 'md5'));
  con.once('authenticationSASL', () => (method ??= 'scram-sha-256'));
  con.once('authenticationOk', () => (method ??= 'trust'));
  try {
    await client.connect();
    await client.end();
    return { method, ok: true };
  } catch (err) {
    await client.end().catch(() => {});
    return { method, ok: false, error: err as Error & { code?: string } };
  }
}
