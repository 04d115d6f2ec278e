// Statements a sharded database cannot run correctly as written, refused by route() itself so
// that `pgdog route` shows the refusal `pgdog serve` gives (SQLSTATE 0A000):
// - an UPDATE that assigns the sharding column: the row could belong on another shard afterwards;
// - an INSERT whose rows cannot each be given one shard: sent to every shard, each row would be
//   stored once per shard (pgDog issue #259), so it is never broadcast.
// A cross-shard SELECT the merger cannot combine is refused in route.ts (cross-shard planner).

import type { StatementAnalysis, TableName } from '../sql/types.js';
import type { KeyOutcome } from './key-shards.js';
import type { PreparedDatabase } from './prepared-table.js';
import { omnishardedEntry, shardedEntries, isSystemCatalog, tableLabel } from './table-lookup.js';

/** The column-only entry (`[[sharded_tables]]` without a name) for `column`, if any. */
function columnOnlyEntry(db: PreparedDatabase, column: string, schema: string | null): boolean {
  for (const e of db.shardedByColumnOnly) {
    if (e.column === column && (e.schema === null || schema === null || e.schema === schema)) return true;
  }
  return false;
}

/** `table.column` when an UPDATE assigns its target table's sharding column, else null. */
export function assignedShardingColumn(db: PreparedDatabase, stmt: StatementAnalysis): string | null {
  if (stmt.kind !== 'update' || stmt.assigned.length === 0 || db.shardCount < 2) return null;
  const target = stmt.tables[0];
  if (target === undefined) return null;
  const label = tableLabel(target);
  const named = shardedEntries(db, target);
  if (named.length > 0) {
    for (const e of named) if (stmt.assigned.includes(e.column)) return `${label}.${e.column}`;
    return null;
  }
  if (omnishardedEntry(db, target) !== null || isSystemCatalog(target)) return null;
  for (const column of stmt.assigned) if (columnOnlyEntry(db, column, target.schema)) return `${label}.${column}`;
  return null;
}

export function shardingKeyUpdateMessage(column: string): string {
  return `UPDATE of the sharding column ${column} could move rows to another shard, which is not supported; delete the row and insert it again`;
}

/**
 * Why an INSERT into `table` (sharded, or possibly sharded by a column-only key) cannot be
 * placed, given that its keys did not restrict it to some shards; the message the client gets.
 */
export function unplaceableInsertMessage(db: PreparedDatabase, stmt: StatementAnalysis, table: TableName, k: KeyOutcome): string {
  const label = tableLabel(table);
  const entry = shardedEntries(db, table)[0];
  const column = entry?.column ?? db.shardedByColumnOnly[0]?.column ?? 'the sharding key';
  const key = `${label}.${column}`;
  const info = stmt.insert;
  let detail: string;
  if (k.problem !== null) detail = k.problem;
  else if (info?.select === true) detail = `INSERT ... SELECT gives pgdog no ${column} values to route by`;
  else if (info !== null && info.rows === 0) detail = `it gives no ${column} value`;
  else if (info?.columns === null) detail = `without a column list the position of ${column} is not known; name the columns`;
  else if (k.sawKeyColumn || info?.columns?.includes(column) === true) detail = `a row's ${column} is NULL, DEFAULT or an expression, not a value to route by`;
  else if (entry === undefined) {
    detail = `database "${db.name}" shards every table that has a ${column} column and this INSERT gives none; name ${column}, or list ${label} in [[omnisharded_tables]] if every shard holds the same rows`;
  } else detail = `its column list has no ${column}`;
  return `INSERT into ${label} cannot be sent to one shard per row: ${detail}. Sent to every shard it would store each row once per shard; give every row a value for ${key}`;
}
