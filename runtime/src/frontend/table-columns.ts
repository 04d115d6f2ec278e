// Column order of tables as the live schema has it, for statements that rely on it: `COPY t FROM
// STDIN` without a column list (the sharding column's position in each row) and `INSERT INTO t
// VALUES (...)` without one (RouteInput.tableColumns). Looked up on a shard's server; cached per
// routing context, which is rebuilt on every reload, so a reload starts afresh.

import type { TableName } from '@pgdog/compiler';
import type { RoutingContext } from './query-router.js';
import type { ServerPort } from './server-port.js';

export interface TableColumn {
  readonly name: string;
  /** A generated column: in INSERT's positional order, but not among COPY's default columns. */
  readonly generated: boolean;
}

const LOOKUP_TIMEOUT_MS = 10_000;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The key a table is cached (and found by route()) under: its name as written, schema-qualified or not. */
export function columnsKey(t: TableName): string {
  return t.schema === null ? t.name : `${t.schema}.${t.name}`;
}

/**
 * Columns of `t` (resolved through the server's search_path, as the statement would be), in
 * attribute order, without dropped ones; no rows when there is no such table. Pure.
 */
export function columnsQuery(t: TableName): string {
  const ident = t.schema === null ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
  return `SELECT attname, attgenerated <> '' FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass(${quoteLiteral(ident)}) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`;
}

/** The rows of columnsQuery (text format: bool is 't' / 'f'); null for no rows (no such table). */
export function columnsOf(rows: readonly (readonly (string | null)[])[]): TableColumn[] | null {
  if (rows.length === 0) return null;
  return rows.map((r) => ({ name: r[0] ?? '', generated: r[1] === 't' }));
}

/** The columns COPY uses when the statement lists none: every column but generated ones. */
export function copyColumns(columns: readonly TableColumn[]): string[] {
  return columns.filter((c) => !c.generated).map((c) => c.name);
}

/** One database's tables, as last looked up. */
export class TableColumnCache {
  private readonly tables = new Map<string, readonly TableColumn[]>();
  /** INSERT's positional order per table, in the shape route() takes; rebuilt when a table changes. */
  private insertOrder: Map<string, readonly string[]> | null = null;

  get(t: TableName): readonly TableColumn[] | undefined {
    return this.tables.get(columnsKey(t));
  }

  set(t: TableName, columns: readonly TableColumn[]): void {
    this.tables.set(columnsKey(t), columns);
    this.insertOrder = null;
  }

  /** For RouteInput.tableColumns; undefined while nothing is known. */
  routeColumns(): ReadonlyMap<string, readonly string[]> | undefined {
    if (this.tables.size === 0) return undefined;
    if (this.insertOrder === null) {
      this.insertOrder = new Map();
      for (const [k, cols] of this.tables) this.insertOrder.set(k, cols.map((c) => c.name));
    }
    return this.insertOrder;
  }

  /**
   * Looks `t` up on `server` (detached, idle or inside the client's transaction, whose own DDL it
   * then sees) and caches the answer; null when there is no such table.
   */
  async load(server: ServerPort, t: TableName): Promise<readonly TableColumn[] | null> {
    const result = await server.runInternal(columnsQuery(t), LOOKUP_TIMEOUT_MS);
    const columns = columnsOf(result.rows);
    if (columns !== null) this.set(t, columns);
    return columns;
  }
}

const caches = new WeakMap<RoutingContext, Map<string, TableColumnCache>>();

/** The cache of one database under one routing context (a reload brings a new context, so a new cache). */
export function tableColumnCache(ctx: RoutingContext, database: string): TableColumnCache {
  let byDb = caches.get(ctx);
  if (byDb === undefined) {
    byDb = new Map();
    caches.set(ctx, byDb);
  }
  let cache = byDb.get(database);
  if (cache === undefined) {
    cache = new TableColumnCache();
    byDb.set(database, cache);
  }
  return cache;
}
