// Where rows sit, asked of each shard database directly (never through pgdog): PostgreSQL's own
// hash partitioning decides which shard a bigint key belongs to (satisfies_hash_partition on a
// PARTITION BY HASH parent with MODULUS = shard count, REMAINDER = shard index).
import type { ShardSpec } from './sharded-pgdog.js';

const HP = 'pgdog_accept_hp';

/** Creates the hash-partitioned parent used as the oracle on every shard database. */
export async function createHashOracle(shards: readonly ShardSpec[]): Promise<void> {
  for (const s of shards) await s.server.query(`CREATE TABLE IF NOT EXISTS ${HP} (k bigint) PARTITION BY HASH (k)`, [], { database: s.database });
}

export interface ShardRows {
  /** Rows on the shard. */
  readonly total: number;
  /** Rows whose key PostgreSQL would put on another shard (NULL keys count as misplaced). */
  readonly misplaced: number;
}

export async function shardRows(shards: readonly ShardSpec[], table: string, column: string): Promise<ShardRows[]> {
  const out: ShardRows[] = [];
  for (let i = 0; i < shards.length; i++) {
    const s = shards[i]!;
    const rows = await s.server.query<{ total: string; misplaced: string }>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE ${column} IS NULL OR NOT satisfies_hash_partition('${HP}'::regclass, $1::int, $2::int, ${column}::bigint)) AS misplaced
         FROM ${table}`,
      [shards.length, i],
      { database: s.database },
    );
    out.push({ total: Number(rows[0]!.total), misplaced: Number(rows[0]!.misplaced) });
  }
  return out;
}

/** The shard PostgreSQL's hash partitioning picks for `key`. */
export async function shardOfKey(shards: readonly ShardSpec[], key: bigint | number | string): Promise<number> {
  const s = shards[0]!;
  for (let i = 0; i < shards.length; i++) {
    const r = await s.server.query<{ ok: boolean }>(`SELECT satisfies_hash_partition('${HP}'::regclass, $1::int, $2::int, $3::bigint) AS ok`, [shards.length, i, String(key)], { database: s.database });
    if (r[0]!.ok) return i;
  }
  throw new Error(`no shard accepts ${key}`);
}

/** Runs `sql` on one shard database directly. */
export function onShard<R = Record<string, unknown>>(shard: ShardSpec, sql: string, params: unknown[] = []): Promise<R[]> {
  return shard.server.query<R>(sql, params, { database: shard.database });
}
