// Errors a checkout can end with. Each names the pool, carries a SQLSTATE for the client's
// ErrorResponse, and, for connect failures, the server-side cause.

import { ServerError } from '../backend/server-error.js';
import { SqlState } from '../protocol/sqlstate.js';

export type PoolErrorKind = 'checkout_timeout' | 'connect_failed' | 'shutting_down';

export class PoolError extends Error {
  readonly kind: PoolErrorKind;
  readonly sqlstate: string;
  /** e.g. "alice@app". */
  readonly pool: string;

  constructor(kind: PoolErrorKind, sqlstate: string, pool: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PoolError';
    this.kind = kind;
    this.sqlstate = sqlstate;
    this.pool = pool;
  }
}

export function checkoutTimeout(pool: string, timeoutMs: number, poolSize: number, inUse: number, lastConnectError: Error | null): PoolError {
  const state = inUse >= poolSize ? 'all in use' : `${inUse} in use`;
  const why = lastConnectError === null ? '' : `; last connect error: ${lastConnectError.message}`;
  return new PoolError(
    'checkout_timeout',
    SqlState.TooManyConnections,
    pool,
    `pgdog: no server connection available for ${pool} within ${timeoutMs} ms (pool size ${poolSize}, ${state}${why})`,
    lastConnectError ?? undefined,
  );
}

/** The server's SQLSTATE when it refused us (28P01, 3D000, 53300...), else 08001/08006 from the connect. */
export function connectFailed(pool: string, cause: unknown): PoolError {
  const sqlstate = cause instanceof ServerError ? cause.sqlstate : SqlState.SqlClientUnableToEstablishSqlConnection;
  const text = cause instanceof Error ? cause.message : String(cause);
  return new PoolError('connect_failed', sqlstate, pool, `pgdog: could not open a server connection for ${pool}: ${text}`, cause);
}

export function shuttingDown(pool: string): PoolError {
  return new PoolError('shutting_down', SqlState.AdminShutdown, pool, `pgdog: pool ${pool} is shutting down`);
}
