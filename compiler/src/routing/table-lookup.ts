// Which configured table a name in a query refers to, and which sharded column a key candidate
// compares. Without the database schema we go by names: a table written without a schema matches
// a configured table in any schema (search_path decides at run time), a qualified one only the
// same schema.

import type { KeyCandidate, StatementAnalysis, TableName } from '../sql/types.js';
import type { PreparedDatabase } from './prepared-table.js';
import type { OmnishardedTableRoute, ShardedTableRoute } from './table.js';

export type TableClass = 'sharded' | 'omnisharded' | 'system' | 'unknown';

function schemaMatches(configured: string | null, written: string | null): boolean {
  return configured === null || written === null || configured === written;
}

export function tableLabel(t: TableName): string {
  return t.schema === null ? t.name : `${t.schema}.${t.name}`;
}

/** Named [[sharded_tables]] entries for a table. */
export function shardedEntries(db: PreparedDatabase, t: TableName): readonly ShardedTableRoute[] {
  const named = db.shardedByName.get(t.name);
  if (named === undefined) return NONE;
  // An unqualified name matches every schema: no copy on the common path.
  return t.schema === null ? named : named.filter((e) => schemaMatches(e.schema, t.schema));
}

const NONE: readonly ShardedTableRoute[] = Object.freeze([]);

export function omnishardedEntry(db: PreparedDatabase, t: TableName): OmnishardedTableRoute | null {
  const list = db.omnisharded.get(t.name);
  if (list === undefined) return null;
  for (const e of list) if (schemaMatches(e.schema, t.schema)) return e;
  return null;
}

/** PostgreSQL's catalogs exist on every shard with shard-local contents: any one shard answers
 *  (pgDog's default `system_catalogs = "omnisharded_sticky"`). */
export function isSystemCatalog(t: TableName): boolean {
  if (t.schema !== null) return t.schema === 'pg_catalog' || t.schema === 'information_schema';
  return t.name.startsWith('pg_');
}

export function classifyTable(db: PreparedDatabase, t: TableName): TableClass {
  if (shardedEntries(db, t).length > 0) return 'sharded';
  if (omnishardedEntry(db, t) !== null) return 'omnisharded';
  if (isSystemCatalog(t)) return 'system';
  return 'unknown';
}

export interface ResolvedKey {
  entry: ShardedTableRoute;
  /** The query's table, when known. */
  table: TableName | null;
}

function columnOnly(db: PreparedDatabase, column: string, schema: string | null): ShardedTableRoute | null {
  for (const e of db.shardedByColumnOnly) if (e.column === column && schemaMatches(e.schema, schema)) return e;
  return null;
}

/** Entries that hash every value to the same shard, so an ambiguous column is still a key. */
function sameFunction(a: ShardedTableRoute, b: ShardedTableRoute): boolean {
  return a.mapping === null && b.mapping === null && a.dataType === b.dataType && a.hasher === b.hasher;
}

/**
 * The sharded column a candidate compares, or null. An unqualified column in a statement over
 * several tables (the analysis leaves its table null) belongs to the statement's one sharded
 * table with a key column of that name; PostgreSQL itself rejects the query if the name were
 * ambiguous, so a valid query cannot mean another table's sharding column.
 */
export function resolveKey(db: PreparedDatabase, stmt: StatementAnalysis, c: KeyCandidate): ResolvedKey | null {
  const column = c.column;
  if (column === null) return null;
  if (c.table !== null) {
    const named = shardedEntries(db, c.table);
    if (named.length > 0) {
      for (const e of named) if (e.column === column) return { entry: e, table: c.table };
      return null;
    }
    if (omnishardedEntry(db, c.table) !== null) return null;
    const e = columnOnly(db, column, c.table.schema);
    return e === null ? null : { entry: e, table: c.table };
  }
  let found: ResolvedKey | null = null;
  for (const t of stmt.tables) {
    for (const e of shardedEntries(db, t)) {
      if (e.column !== column) continue;
      if (found === null) found = { entry: e, table: t };
      else if (found.entry !== e && !sameFunction(found.entry, e)) return null;
    }
  }
  if (found !== null) return found;
  const e = columnOnly(db, column, null);
  return e === null ? null : { entry: e, table: null };
}
