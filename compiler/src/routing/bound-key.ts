// A named statement is bound thousands of times with different values, and each Bind is routed.
// For the usual statement (`... WHERE key = $1`), route()'s answer depends on the Bind values only
// through the one shard that parameter maps to: every other input (the text, the session, the
// rules, the hints) is fixed while the statement and the session stand. boundKeyOf() names that
// parameter and maps a value to its shard exactly as route() does (the same valueShard), so a
// caller may keep route()'s answer per shard and route a Bind by its key value alone. It answers
// only where that holds, and null everywhere else (the caller then calls route() each time).
// shardOf() takes valueShard's steps without the reporting objects valueShard makes (it runs on
// every Bind); route-bound-key.test.ts holds the two to the same shards.

import type { QueryAnalysis } from '../sql/types.js';
import { partitionHashSafeInteger, shardFor } from './hash.js';
import { ALL_SHARDS, lookupShard } from './mapping.js';
import { hashKey, keyFromParam, keyFromText, type KeyResult, type ShardDataType } from './shard-value.js';
import type { ShardedTableRoute } from './table.js';
import { prepareRoutingTable } from './prepared-table.js';
import { statementShape } from './statement-shape.js';
import type { RoutingTable } from './table.js';

export interface BoundKey {
  /** The parameter (0-based: `$1` is 0) whose value picks the shard. */
  readonly index: number;
  /**
   * The shard route() maps this value to (`format` 0 text, 1 binary), or null where route() could
   * not use it (a malformed value, a mapping with no rule for it): then route() must be asked.
   */
  shardOf(value: Uint8Array, format: number): number | null;
}

/**
 * For `analysis` (one statement, routed in `database`), the parameter that alone makes route()'s
 * answer differ between Binds, or null when there is no such single parameter: no key, a key
 * from a literal, several key candidates (an AND / OR formula, several VALUES rows), a positional
 * key (INSERT without a column list), an UPDATE that assigns a sharding column (its refusal reads
 * the assigned value), or a hasher route() does not implement.
 */
export function boundKeyOf(table: RoutingTable, database: string, analysis: QueryAnalysis): BoundKey | null {
  if (!analysis.ok || analysis.statements.length !== 1) return null;
  const db = prepareRoutingTable(table).databases.get(database);
  if (db === undefined || db.shardCount < 2) return null;
  const stmt = analysis.statements[0];
  if (stmt.keyExpr.op !== 'key' || stmt.keys.length !== 1 || stmt.assigned.length > 0) return null;
  const c = stmt.keys[stmt.keyExpr.key];
  if (c.column === null || c.value.kind !== 'param') return null;
  const target = statementShape(db, stmt).target(stmt.keyExpr.key);
  if (target === null) return null;
  const entry = target.entry;
  if (entry.dataType === 'vector' || entry.hasher !== 'postgres') return null;
  const shardCount = db.shardCount;
  const type = entry.dataType as ShardDataType;
  return {
    index: c.value.index - 1,
    shardOf: (value: Uint8Array, format: number): number | null => keyShard(keyFromParam(type, value, format), entry, shardCount),
  };
}

export interface LiteralKey {
  /** The shard route() maps the key literal of `analysis` to, or null where route() could not use it. */
  shardOf(analysis: QueryAnalysis): number | null;
}

/**
 * The same for the simple protocol: for the analyses of one cached shape (PlanCache.answeredShape,
 * texts that differ only in literal values), route()'s answer differs only through the shard the
 * one key literal maps to. Null where that does not hold: besides boundKeyOf's cases, a SET or a
 * transaction statement, and a database with rules that read the query text (other literals
 * would then count).
 */
export function literalKeyOf(table: RoutingTable, database: string, analysis: QueryAnalysis): LiteralKey | null {
  if (!analysis.ok || analysis.statements.length !== 1) return null;
  const db = prepareRoutingTable(table).databases.get(database);
  if (db === undefined || db.shardCount < 2 || db.rulesReadText) return null;
  const stmt = analysis.statements[0];
  if (stmt.set !== null || stmt.transaction !== null) return null;
  if (stmt.keyExpr.op !== 'key' || stmt.keys.length !== 1 || stmt.assigned.length > 0) return null;
  const k = stmt.keyExpr.key;
  const c = stmt.keys[k];
  if (c.column === null || c.value.kind !== 'literal') return null;
  const target = statementShape(db, stmt).target(k);
  if (target === null) return null;
  const entry = target.entry;
  if (entry.dataType === 'vector' || entry.hasher !== 'postgres') return null;
  const shardCount = db.shardCount;
  const type = entry.dataType as ShardDataType;
  const plainBigint = type === 'bigint' && entry.mapping === null;
  return {
    shardOf(a: QueryAnalysis): number | null {
      if (!a.ok || a.statements.length !== 1) return null;
      const v = a.statements[0].keys[k]?.value;
      if (v === undefined || v.kind !== 'literal' || v.type === 'bool' || v.type === 'bitstring') return null;
      // As key-shards.ts leaf() takes the common key: a canonical integer of at most 15 digits.
      if (v.type === 'int' && plainBigint && v.text.length <= 15) return shardFor(partitionHashSafeInteger(Number(v.text)), shardCount);
      return keyShard(keyFromText(type, v.text), entry, shardCount);
    },
  };
}

/** valueShard()'s shard of a key, without its reporting objects; null when it has none. */
function keyShard(r: KeyResult, entry: ShardedTableRoute, shardCount: number): number | null {
  if (!r.ok) return null;
  if (entry.mapping === null) return shardFor(hashKey(r.key), shardCount);
  const s = lookupShard(entry.mapping, r.key);
  return s === ALL_SHARDS ? null : s;
}
