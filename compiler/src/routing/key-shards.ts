// Step 6 of the precedence: the shards a statement's sharding keys allow. Each key candidate that
// compares a configured sharded column with a value becomes the set of shards that value maps to
// (hash or list/range mapping); the statement's AND/OR formula over candidates (evalKeyExpr)
// combines them. What was used, and why a key could not be used, is kept for the reason text.

import { evalKeyExpr } from '../sql/key-expr.js';
import type { KeyCandidate, KeyExpr, StatementAnalysis, TableName } from '../sql/types.js';
import { arrayElements } from './array-param.js';
import { shardFor } from './hash.js';
import { hashHex } from './hex.js';
import type { Hash64 } from './hash.js';
import { ALL_SHARDS, lookupShard } from './mapping.js';
import type { PreparedDatabase } from './prepared-table.js';
import type { RouteParams } from './route-types.js';
import { formatShardKey, hashKey, keyFromParam, keyFromText, type KeyResult, type ShardDataType, type ShardKey } from './shard-value.js';
import { resolveKey, tableLabel, type ResolvedKey } from './table-lookup.js';
import type { ShardedTableRoute } from './table.js';

/** One key value and where it maps. The printable value and hash are made on first use: a
 *  multi-row INSERT has many values, and the route reports one. */
export class KeyFact {
  private shown: string | undefined;
  private hex: string | null | undefined;

  constructor(
    readonly table: string | null,
    /** Null for a bare key from a hint. */
    readonly column: string | null,
    private readonly key: ShardKey | null,
    /** What to show when there is no key (an unbound `$n`). */
    private readonly raw: string,
    private readonly hash64: Hash64 | null,
    /** The shard of this value; null when unbound. */
    readonly shard: number | null,
    /** The table's mapping kind, for the reason text. */
    readonly mapped: boolean,
  ) {}

  /** As PostgreSQL would print it (canonical bigint, lower-case uuid, the text). */
  get value(): string {
    return (this.shown ??= this.key === null ? this.raw : formatShardKey(this.key));
  }

  /** Partition hash as 16 hex digits; null for mappings and unbound values. */
  get hash(): string | null {
    if (this.hex === undefined) this.hex = this.hash64 === null ? null : hashHex(this.hash64);
    return this.hex;
  }

  /** The same value reported without a table (a hint's bare key). */
  bare(): KeyFact {
    return new KeyFact(null, null, this.key, this.raw, this.hash64, this.shard, this.mapped);
  }
}

export interface KeyOutcome {
  /** Shards the rows can be on; null: the keys do not restrict the statement. */
  shards: Set<number> | null;
  /** Values that mapped to a shard, in candidate order. */
  used: KeyFact[];
  /** The first sharded-column parameter without a bound value. */
  unbound: KeyFact | null;
  /** With values bound, the keys would restrict the statement. */
  restrictsOnceBound: boolean;
  /** Why the first unusable sharded-column value could not be used. */
  problem: string | null;
  /** Some candidate compares a sharded column. */
  sawKeyColumn: boolean;
}

interface Ctx {
  db: PreparedDatabase;
  stmt: StatementAnalysis;
  params: RouteParams | undefined;
  out: KeyOutcome;
  memoTable: TableName | null | undefined;
  memo: Map<string, ResolvedKey | null>;
}

const UNBOUND = Symbol('unbound');
type Leaf = readonly number[] | null | typeof UNBOUND;

function paramFormat(params: RouteParams, index: number): number {
  const f = params.formats;
  if (f === undefined || f.length === 0) return 0;
  return f.length === 1 ? f[0] : (f[index - 1] ?? 0);
}

function keyOf(entry: ShardedTableRoute, value: Uint8Array | string, format: number): KeyResult {
  const type = entry.dataType as ShardDataType;
  return typeof value === 'string' ? keyFromText(type, value) : keyFromParam(type, value, format);
}

export type ValueShard = { ok: true; fact: KeyFact; shard: number } | { ok: false; reason: string };

/** The shard of one key value of a sharded column (hash or mapping). */
export function valueShard(shardCount: number, entry: ShardedTableRoute, table: string | null, value: Uint8Array | string, format: number): ValueShard {
  const label = (): string => `${table ?? entry.name ?? ''}${table ?? entry.name ? '.' : ''}${entry.column}`;
  const r = keyOf(entry, value, format);
  if (!r.ok) return { ok: false, reason: `the ${label()} value cannot be used as a ${entry.dataType} key (${r.reason})` };
  if (entry.mapping !== null) {
    const s = lookupShard(entry.mapping, r.key);
    if (s === ALL_SHARDS) return { ok: false, reason: `${label()} = ${formatShardKey(r.key)} matches no mapping rule and the table has no default` };
    return { ok: true, fact: new KeyFact(table, entry.column, r.key, '', null, s, true), shard: s };
  }
  const h = hashKey(r.key);
  const shard = shardFor(h, shardCount);
  return { ok: true, fact: new KeyFact(table, entry.column, r.key, '', h, shard, false), shard };
}

/** Shard of one value, recording it; null (with a problem noted) when it cannot be used. */
function shardOfValue(ctx: Ctx, entry: ShardedTableRoute, table: string | null, value: Uint8Array | string, format: number): number | null {
  const r = valueShard(ctx.db.shardCount, entry, table, value, format);
  if (!r.ok) {
    ctx.out.problem ??= r.reason;
    return null;
  }
  ctx.out.used.push(r.fact);
  return r.shard;
}

/** resolveKey, remembered per (table, column) for the statement: a multi-row INSERT asks the
 *  same question for every row. */
function resolveCached(ctx: Ctx, c: KeyCandidate): ResolvedKey | null {
  if (c.table !== ctx.memoTable || c.column === null) {
    ctx.memoTable = c.table;
    ctx.memo.clear();
  }
  const column = c.column ?? '';
  let r = ctx.memo.get(column);
  if (r === undefined) {
    r = resolveKey(ctx.db, ctx.stmt, c);
    ctx.memo.set(column, r);
  }
  return r;
}

function leaf(ctx: Ctx, c: KeyCandidate): Leaf {
  const resolved = resolveCached(ctx, c);
  if (resolved === null) return null;
  const { entry } = resolved;
  const table = resolved.table !== null ? tableLabel(resolved.table) : entry.name;
  ctx.out.sawKeyColumn = true;
  if (entry.dataType === 'vector' || entry.hasher !== 'postgres') {
    ctx.out.problem ??= `${table}.${entry.column} uses ${entry.dataType === 'vector' ? 'vector sharding' : `the ${entry.hasher} hasher`}, which is not implemented`;
    return null;
  }
  const v = c.value;
  if (v.kind === 'literal') {
    if (v.type === 'bool' || v.type === 'bitstring') {
      ctx.out.problem ??= `${table}.${entry.column} is compared with a ${v.type} literal`;
      return null;
    }
    const s = shardOfValue(ctx, entry, table, v.text, 0);
    return s === null ? null : [s];
  }
  const params = ctx.params;
  if (params === undefined) {
    ctx.out.unbound ??= new KeyFact(table, entry.column, null, `$${v.index}`, null, null, entry.mapping !== null);
    return UNBOUND;
  }
  const bound = params.values[v.index - 1];
  if (bound === undefined) {
    ctx.out.problem ??= `no value is bound to $${v.index}`;
    return null;
  }
  if (bound === null) {
    ctx.out.problem ??= `$${v.index} (${table}.${entry.column}) is NULL`;
    return null;
  }
  const format = paramFormat(params, v.index);
  if (v.kind === 'param') {
    const s = shardOfValue(ctx, entry, table, bound, format);
    return s === null ? null : [s];
  }
  const items = arrayElements(bound, format);
  if (items === null) {
    ctx.out.problem ??= `$${v.index} is not a one-dimensional array`;
    return null;
  }
  const shards: number[] = [];
  for (const item of items) {
    if (item === null) continue;
    const s = shardOfValue(ctx, entry, table, item, format);
    if (s === null) return null;
    if (!shards.includes(s)) shards.push(s);
  }
  return shards;
}

/** Most databases have few shards: a set of shards is then a bit mask, and AND / OR are & / |. */
const MASK_SHARDS = 30;

function maskOf(shards: readonly number[]): number {
  let m = 0;
  for (const s of shards) m |= 1 << s;
  return m;
}

function evalMask(e: KeyExpr, leafMask: (key: number) => number | null): number | null {
  switch (e.op) {
    case 'all':
      return null;
    case 'key':
      return leafMask(e.key);
    case 'and': {
      let acc: number | null = null;
      for (const a of e.args) {
        const m = evalMask(a, leafMask);
        if (m !== null) acc = acc === null ? m : acc & m;
      }
      return acc;
    }
    case 'or': {
      let acc = 0;
      for (const a of e.args) {
        const m = evalMask(a, leafMask);
        if (m === null) return null;
        acc |= m;
      }
      return acc;
    }
  }
}

function maskShards(mask: number): Set<number> {
  const out = new Set<number>();
  for (let s = 0; mask !== 0; s++, mask >>>= 1) if (mask & 1) out.add(s);
  return out;
}

export function evaluateKeys(db: PreparedDatabase, stmt: StatementAnalysis, params: RouteParams | undefined): KeyOutcome {
  const out: KeyOutcome = { shards: null, used: [], unbound: null, restrictsOnceBound: false, problem: null, sawKeyColumn: false };
  if (stmt.keys.length === 0 || stmt.keyExpr.op === 'all') return out;
  const ctx: Ctx = { db, stmt, params, out, memoTable: undefined, memo: new Map() };
  if (stmt.keyExpr.op === 'key') {
    // The common `WHERE key = value`: no formula to evaluate.
    const l = leaf(ctx, stmt.keys[stmt.keyExpr.key]);
    if (l === UNBOUND) out.restrictsOnceBound = true;
    else if (l !== null) out.shards = new Set(l);
    return out;
  }
  const leaves: (Leaf | undefined)[] = [];
  const get = (i: number): Leaf => {
    let l = leaves[i];
    if (l === undefined) l = leaves[i] = leaf(ctx, stmt.keys[i]);
    return l;
  };
  const every = Array.from({ length: db.shardCount }, (_, i) => i);
  if (db.shardCount <= MASK_SHARDS) {
    const full = maskOf(every);
    const m = evalMask(stmt.keyExpr, (i) => {
      const l = get(i);
      return l === UNBOUND || l === null ? null : maskOf(l);
    });
    out.shards = m === null ? null : maskShards(m);
    // Would the keys restrict the statement once bound? Count an unbound key as "some shards".
    if (m === null && out.unbound !== null) {
      out.restrictsOnceBound = evalMask(stmt.keyExpr, (i) => {
        const l = get(i);
        return l === UNBOUND ? full : l === null ? null : maskOf(l);
      }) !== null;
    }
    return out;
  }
  out.shards = evalKeyExpr(stmt.keyExpr, (i) => {
    const l = get(i);
    return l === UNBOUND || l === null ? null : new Set(l);
  });
  if (out.shards === null && out.unbound !== null) {
    const all = new Set(every);
    out.restrictsOnceBound = evalKeyExpr(stmt.keyExpr, (i) => {
      const l = get(i);
      return l === UNBOUND ? all : l === null ? null : new Set(l);
    }) !== null;
  }
  return out;
}
