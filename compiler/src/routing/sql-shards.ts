// Precedence steps 6 and 7: the shards the SQL itself implies. A sharding key restricts the
// statement; otherwise the defaults of SPEC §3.2 apply: omnisharded tables are read from one
// shard and written on all, sharded tables without a key go to all shards, and a statement
// without tables goes to one shard. DDL runs everywhere.
//
// A table the config does not name is omnisharded, as in pgDog ("unless otherwise specified as a
// sharded table, all tables are omnisharded"), when every [[sharded_tables]] entry of the
// database names its table. With a column-only entry (any table with that column is sharded)
// such a table may be sharded, and without the schema route() cannot tell: it is read from all
// shards, and an INSERT that gives no key is refused rather than stored once per shard.

import type { StatementAnalysis, TableName } from '../sql/types.js';
import { evaluateKeys, type KeyFact, type KeyOutcome } from './key-shards.js';
import type { PreparedDatabase } from './prepared-table.js';
import type { RouteInput, RouteSource } from './route-types.js';
import { isWriteStatement } from './statement-write.js';
import { statementShape, type StatementShape } from './statement-shape.js';
import { classifyTable, shardedEntries, tableLabel, type TableClass } from './table-lookup.js';
import { unplaceableInsertMessage } from './write-refusals.js';

export interface SqlShards {
  shards: number[] | 'all';
  source: RouteSource;
  key: KeyFact | null;
  /** Clause for the reason sentence. */
  why: string;
  /** The statement cannot run correctly on these shards: the message it is refused with. */
  refusal?: string;
}

const isOmni = (c: TableClass): boolean => c === 'omnisharded' || c === 'system';

/** Unnamed tables are omnisharded unless a column-only entry could make them sharded. */
const unknownIsOmni = (db: PreparedDatabase): boolean => db.shardedByColumnOnly.length === 0;

function omniIn(db: PreparedDatabase, c: TableClass): boolean {
  return isOmni(c) || (c === 'unknown' && unknownIsOmni(db));
}

const OMNI_BY_DEFAULT = ' (tables not configured as sharded are omnisharded by default)';

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

/** The key a keyed route reports: the first value that fell on one of the route's shards. */
function reportedKey(k: KeyOutcome, shards: readonly number[]): KeyFact {
  const used = k.used;
  if (used.length === 1) return used[0];
  for (let i = 0; i < used.length; i++) {
    const s = used[i].shard;
    if (s !== null && shards.includes(s)) return used[i];
  }
  return used[0];
}

function describeKeys(k: KeyOutcome, shards: readonly number[]): { key: KeyFact; why: string } {
  if (k.used.length === 1) return { key: k.used[0], why: oneKeyWhy(k.used[0]) };
  const used = k.used.filter((f) => f.shard !== null && shards.includes(f.shard));
  const first = reportedKey(k, shards);
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
  // Only with a column-only key: otherwise unnamed tables are omnisharded.
  return `${unknown.length === 1 ? 'Table' : 'Tables'} ${list(unknown)} ${unknown.length === 1 ? 'is' : 'are'} neither sharded nor omnisharded in the config and may have the column-only key ${db.shardedByColumnOnly[0]?.column ?? ''}, so all shards`;
}

/**
 * With `input.explain === false` (serving) the `why` of the common outcomes is left empty: the
 * clauses cost more to build than the routing itself, and only a shown route reads them.
 */
export function sqlShards(
  db: PreparedDatabase, stmt: StatementAnalysis | null, shape: StatementShape | null, input: Pick<RouteInput, 'params' | 'tableColumns' | 'explain'>, neutral: boolean,
): SqlShards {
  const explain = input.explain !== false;
  if (db.shardCount === 1) return { shards: [0], source: 'default', key: null, why: `Database "${db.name}" has a single shard` };
  if (stmt === null) return { shards: [0], source: 'default', key: null, why: 'The query does not parse, so one shard (shard 0) reports the error' };
  if (stmt.kind === 'ddl') return { shards: 'all', source: 'default', key: null, why: 'DDL runs on every shard' };
  if (neutral || stmt.tables.length === 0) {
    return { shards: [0], source: 'default', key: null, why: 'No table is involved, so one shard (shard 0)' };
  }
  shape ??= statementShape(db, stmt);
  const classes = shape.classes();
  const target = writeTarget(stmt);
  if (target !== null) {
    const c = classifyTable(db, target);
    if (omniIn(db, c)) {
      const why = `Writes to the omnisharded table ${tableLabel(target)} go to every shard${c === 'unknown' ? OMNI_BY_DEFAULT : ''}`;
      return { shards: 'all', source: 'omnisharded', key: null, why };
    }
  }
  let allOmni = true;
  for (let i = 0; i < classes.length; i++) if (!omniIn(db, classes[i])) allOmni = false;
  if (allOmni && !explain) return { shards: isWriteStatement(stmt) ? 'all' : [0], source: 'omnisharded', key: null, why: '' };
  if (allOmni) {
    const labels = list(stmt.tables.map(tableLabel));
    const one = stmt.tables.length === 1;
    const note = classes.includes('unknown') ? OMNI_BY_DEFAULT : '';
    if (isWriteStatement(stmt)) return { shards: 'all', source: 'omnisharded', key: null, why: `A write to omnisharded ${one ? 'table' : 'tables'} ${labels} goes to every shard${note}` };
    return { shards: [0], source: 'omnisharded', key: null, why: `${one ? 'Table' : 'Tables'} ${labels} ${one ? 'is' : 'are'} omnisharded${note}, so any one shard answers (shard 0)` };
  }
  if (stmt.kind === 'copy' && target !== null) {
    const why = copyWhy(db, stmt, target);
    const entry = shardedEntries(db, target)[0];
    const cols = stmt.copy?.columns ?? null;
    // Rows without their key cannot be split, and every shard storing each row would be wrong.
    if (entry !== undefined && cols !== null && !cols.includes(entry.column)) {
      return { shards: 'all', source: 'default', key: null, why, refusal: `COPY into ${tableLabel(target)} without its sharding column ${entry.column} cannot be split by row; add ${entry.column} to the column list` };
    }
    return { shards: 'all', source: 'default', key: null, why };
  }
  const k = evaluateKeys(db, stmt, shape, input.params, input.tableColumns);
  if (k.shards !== null) {
    if (k.shards.length === 0) {
      const first = k.used[0];
      return { shards: [first.shard as number], source: 'sharding_key', key: first, why: `The sharding keys contradict each other (no row can match), so one shard (shard ${first.shard})` };
    }
    const shards = k.shards;
    if (!explain) return { shards, source: 'sharding_key', key: reportedKey(k, shards), why: '' };
    const d = describeKeys(k, shards);
    // The proxy does not send a multi-row INSERT whole to each of its shards (each would store
    // every row): the dry run says what it does instead.
    const split = stmt.kind === 'insert' && stmt.insert !== null && stmt.insert.rows > 1 && shards.length > 1;
    return { shards, source: 'sharding_key', key: d.key, why: split ? `${d.why}; the INSERT is split into one INSERT per shard with that shard's rows` : d.why };
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
  const insert = stmt.kind === 'insert' && stmt.insert !== null && target !== null;
  if (!explain && !insert) return { shards: 'all', source: 'default', key: null, why: '' };
  const why = broadcastWhy(db, stmt, classes, k);
  if (insert) {
    return { shards: 'all', source: 'default', key: null, why, refusal: unplaceableInsertMessage(db, stmt, target, k) };
  }
  return { shards: 'all', source: 'default', key: null, why };
}
