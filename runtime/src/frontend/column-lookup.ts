import type { TableName } from '@pgdog/compiler';
import { PRIMARY_SHARD_0 } from '../balance/target.js';
import type { PoolPort } from './server-port.js';
import { columnsOf, columnsQuery } from './table-columns.js';

const COLUMNS_LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Reads a table's live column order on shard 0 on a connection of its own; `done` gets the names,
 * or null when the lookup failed (the caller then refuses rather than places rows by a guess).
 */
export function lookUpColumns(pool: PoolPort, checkoutTimeoutMs: number, table: TableName, done: (columns: readonly string[] | null) => void): void {
  pool.checkout({ timeoutMs: checkoutTimeoutMs }, PRIMARY_SHARD_0).then(
    (lease) => lease.server.runInternal(columnsQuery(table), COLUMNS_LOOKUP_TIMEOUT_MS).then(
      (result) => {
        lease.release('clean');
        done(columnsOf(result.rows)?.map((c) => c.name) ?? null);
      },
      () => {
        lease.release('broken');
        done(null);
      },
    ),
    () => done(null),
  );
}
