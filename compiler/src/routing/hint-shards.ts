// Shard hints (precedence steps 3 and 4): `pgdog_shard: N` / `SET pgdog.shard` name a shard;
// `pgdog_sharding_key: V` / `SET pgdog.sharding_key` give a key value, which is mapped like a key
// of the statement's sharded table, or else of the database's first hashable sharded table (pgDog
// routes a bare key with the cluster's sharding function the same way).

import type { StatementAnalysis } from '../sql/types.js';
import { valueShard, type KeyFact, type ValueShard } from './key-shards.js';
import type { PreparedDatabase } from './prepared-table.js';
import type { RoutingHints } from './route-types.js';
import { shardedEntries, tableLabel } from './table-lookup.js';
import type { ShardedTableRoute } from './table.js';

export type HintShard =
  | { ok: true; shard: number; key: KeyFact | null; why: string }
  | { ok: false; message: string };

function usable(e: ShardedTableRoute): boolean {
  return e.dataType !== 'vector' && e.hasher === 'postgres';
}

/** Where a bare key is mapped: the statement's sharded table, else every hashable sharded table
 *  of the database in config order (the first that accepts the value). */
function keyTables(db: PreparedDatabase, stmt: StatementAnalysis | null): { entry: ShardedTableRoute; table: string | null }[] {
  if (stmt !== null) {
    for (const t of stmt.tables) {
      for (const e of shardedEntries(db, t)) if (usable(e)) return [{ entry: e, table: tableLabel(t) }];
    }
  }
  return db.routes.shardedTables.filter(usable).map((e) => ({ entry: e, table: e.name }));
}

/**
 * The shard a hint picks; null when the hints name no shard. `origin` names the hint in
 * messages, e.g. "the comment pgdog_shard" or "SET pgdog.shard".
 */
export function hintShard(
  db: PreparedDatabase,
  stmt: StatementAnalysis | null,
  hints: Pick<RoutingHints, 'shard' | 'shardingKey'>,
  origin: { shard: string; key: string },
): HintShard | null {
  if (hints.shard !== null) {
    if (hints.shard >= db.shardCount) {
      return { ok: false, message: `${origin.shard} = ${hints.shard}: database "${db.name}" has no shard ${hints.shard} (shards 0..${db.shardCount - 1})` };
    }
    return { ok: true, shard: hints.shard, key: null, why: `${origin.shard} = ${hints.shard} picks shard ${hints.shard}` };
  }
  if (hints.shardingKey === null) return null;
  const targets = keyTables(db, stmt);
  if (targets.length === 0) {
    return { ok: false, message: `${origin.key} = '${hints.shardingKey}': database "${db.name}" has no hash- or mapping-sharded table to map it with` };
  }
  let r: ValueShard | undefined;
  let target = targets[0];
  for (const t of targets) {
    target = t;
    r = valueShard(db.shardCount, t.entry, t.table, hints.shardingKey, 0);
    if (r.ok) break;
  }
  if (r === undefined || !r.ok) return { ok: false, message: `${origin.key} = '${hints.shardingKey}': ${r?.ok === false ? r.reason : 'no sharded table accepts it'}` };
  const f = r.fact;
  const shard = r.shard;
  const as = `${target.table ?? ''}${target.table ? '.' : ''}${f.column}`;
  const how = f.hash !== null ? `hashes (as ${as}) to shard ${shard} (hash ${f.hash})` : `is mapped (as ${as}) to shard ${shard}`;
  return { ok: true, shard, key: f.bare(), why: `${origin.key} = '${hints.shardingKey}' ${how}` };
}
