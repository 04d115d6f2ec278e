// Precedence steps 6 and 7: the shards the SQL itself implies. A sharding key restricts the
// statement; otherwise the defaults of SPEC §3.2 apply: omnisharded tables are read from one
// shard and written on all, sharded (or unknown) tables without a key go to all shards, and a
// statement without tables goes to one shard. DDL runs everywhere.

import type { StatementAnalysis, TableName } from '../sql/types.js';
import { evaluateKeys, type KeyFact, type KeyOutcome } from './key-shards.js';
import type { PreparedDatabase } from './prepared-table.js';
import type { RouteInput, RouteSource } from './route-types.js';
import { isWriteStatement } from './statement-write.js';
import { statementShape, type StatementShape } from './statement-shape.js';
import { classifyTable, shardedEntries, tableLabel, type TableClass } from './table-lookup.js';

export interface SqlShards {
  shards: number[] | 'all';
  source: RouteSource;
  key: KeyFact | null;
  /** Clause for the reason sentence. */
  why: string;
}

const isOmni = (c: TableClass): boolean => c === 'omnisharded' || c === 'system';

function list(labels: readonly string[]): string {
  return labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

/** Clauses that start the reason sentence are written capitalized; this fixes one built from a
 *  lower-case message. */
export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function shardList(shards: readonly number[]): string {
  return shards.length === 1 ? `shard ${shards[0]}` : `shards ${list(shards.map(String))}`;
}

function shownValue(f: KeyFact): string {
  const v = f.value;
  return isDecimalInteger(v) ? v : `'${v}'`;
}

/** /^-?\d+$/ without a regex (every keyed route's reason goes through here). */
function isDecimalInteger(v: string): boolean {
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  if (i >= v.length) return false;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function keyLabel(f: KeyFact): string {
  return f.table !== null ? `${f.table}.${f.column}` : (f.column ?? 'the key');
}

/** The table a write changes, when the statement has one. */
function writeTarget(stmt: StatementAnalysis): TableName | null {
  switch (stmt.kind) {
    case 'insert':
      return stmt.insert?.table ?? null;
    case 'update':
    case 'delete':
      return stmt.tables[0] ?? null;
    case 'copy':
      return stmt.copy?.direction === 'from' ? stmt.copy.table : null;
    default:
      return null;
  }
}

function oneKeyWhy(f: KeyFact): string {
  const how = f.mapped ? `is mapped to shard ${f.shard}` : `hashes to shard ${f.shard} (hash ${f.hash})`;
  return `Key ${keyLabel(f)} = ${shownValue(f)} ${how}`;
}

function describeKeys(k: KeyOutcome, shards: readonly number[]): { key: KeyFact; why: string } {
  if (k.used.length === 1) return { key: k.used[0], why: oneKeyWhy(k.used[0]) };
  const used = k.used.filter((f) => f.shard !== null && shards.includes(f.shard));
  const first = used[0] ?? k.used[0];
  if (used.length <= 1) return { key: first, why: oneKeyWhy(first) };
  const sameColumn = used.every((f) => f.table === first.table && f.column === first.column);
  const what = sameColumn ? `${used.length} values of key ${keyLabel(first)}` : `${used.length} sharding-key values`;
  return { key: first, why: `${what} fall on ${shardList(shards)}` };
}

function copyWhy(db: PreparedDatabase, stmt: StatementAnalysis, table: TableName): string {
  const label = tableLabel(table);
  const entry = shardedEntries(db, table)[0];
  if (entry === undefined) return `COPY into ${label}, which is not a sharded table, goes to every shard`;
  const cols = stmt.copy?.columns ?? null;
  if (cols !== null && !cols.includes(entry.column)) return `COPY into ${label} without ${entry.column} in its column list cannot be split, so every shard`;
  return `COPY rows into ${label} are split across the shards by ${entry.column}, so all shards`;
}

function broadcastWhy(db: PreparedDatabase, stmt: StatementAnalysis, classes: readonly TableClass[], k: KeyOutcome): string {
  if (k.problem !== null) return `${upperFirst(k.problem)}, so all shards`;
  if (k.sawKeyColumn) return 'The sharding key does not restrict every row (it sits under OR, or only some rows have it), so all shards';
  const sharded = stmt.tables.filter((_, i) => classes[i] === 'sharded');
  if (stmt.kind === 'insert' && stmt.insert !== null && sharded.length > 0) {
    if (stmt.insert.select) return 'INSERT ... SELECT has no key to route by, so all shards';
    if (stmt.insert.columns === null) return 'INSERT without a column list: the sharding key cannot be located, so all shards';
  }
  if (sharded.length > 0) {
    const t = sharded[0];
    const entry = shardedEntries(db, t)[0];
    return `No sharding key for ${tableLabel(t)}.${entry.column} in the query, so all shards`;
  }
  const unknown = stmt.tables.filter((_, i) => classes[i] === 'unknown').map(tableLabel);
  return `${unknown.length === 1 ? 'Table' : 'Tables'} ${list(unknown)} ${unknown.length === 1 ? 'is' : 'are'} neither sharded nor omnisharded in the config, so all shards`;
}

export function sqlShards(
  db: PreparedDatabase, stmt: StatementAnalysis | null, shape: StatementShape | null, input: Pick<RouteInput, 'params' | 'tableColumns'>, neutral: boolean,
): SqlShards {
  if (db.shardCount === 1) return { shards: [0], source: 'default', key: null, why: `Database "${db.name}" has a single shard` };
  if (stmt === null) return { shards: [0], source: 'default', key: null, why: 'The query does not parse, so one shard (shard 0) reports the error' };
  if (stmt.kind === 'ddl') return { shards: 'all', source: 'default', key: null, why: 'DDL runs on every shard' };
  if (neutral || stmt.tables.length === 0) {
    return { shards: [0], source: 'default', key: null, why: 'No table is involved, so one shard (shard 0)' };
  }
  shape ??= statementShape(db, stmt);
  const classes = shape.classes();
  const target = writeTarget(stmt);
  if (target !== null && isOmni(classifyTable(db, target))) {
    return { shards: 'all', source: 'omnisharded', key: null, why: `Writes to the omnisharded table ${tableLabel(target)} go to every shard` };
  }
  if (classes.every(isOmni)) {
    const labels = list(stmt.tables.map(tableLabel));
    if (isWriteStatement(stmt)) return { shards: 'all', source: 'omnisharded', key: null, why: `A write to omnisharded ${stmt.tables.length === 1 ? 'table' : 'tables'} ${labels} goes to every shard` };
    return { shards: [0], source: 'omnisharded', key: null, why: `${stmt.tables.length === 1 ? 'Table' : 'Tables'} ${labels} ${stmt.tables.length === 1 ? 'is' : 'are'} omnisharded, so any one shard answers (shard 0)` };
  }
  if (stmt.kind === 'copy' && target !== null) return { shards: 'all', source: 'default', key: null, why: copyWhy(db, stmt, target) };
  const k = evaluateKeys(db, stmt, shape, input.params, input.tableColumns);
  if (k.shards !== null) {
    if (k.shards.length === 0) {
      const first = k.used[0];
      return { shards: [first.shard as number], source: 'sharding_key', key: first, why: `The sharding keys contradict each other (no row can match), so one shard (shard ${first.shard})` };
    }
    const shards = k.shards;
    const d = describeKeys(k, shards);
    return { shards, source: 'sharding_key', key: d.key, why: d.why };
  }
  if (k.unbound !== null && k.restrictsOnceBound) {
    const u = k.unbound;
    return {
      shards: 'all',
      source: 'sharding_key',
      key: u,
      why: `Key ${keyLabel(u)} = ${u.value} has no bound value, so its shard is not known yet (all shards until ${u.value} is bound)`,
    };
  }
  return { shards: 'all', source: 'default', key: null, why: broadcastWhy(db, stmt, classes, k) };
}
