// Step 6 of the precedence: the shards a statement's sharding keys allow. Each key candidate that
// compares a configured sharded column with a value becomes the set of shards that value maps to
// (hash or list/range mapping); the statement's AND/OR formula over candidates (evalKeyExpr)
// combines them. What was used, and why a key could not be used, is kept for the reason text.

import { evalKeyExpr } from '../sql/key-expr.js';
import type { KeyCandidate, KeyExpr, StatementAnalysis } from '../sql/types.js';
import { arrayElements } from './array-param.js';
import { partitionHashSafeInteger, shardFor } from './hash.js';
import { hashHex } from './hex.js';
import type { Hash64 } from './hash.js';
import { ALL_SHARDS, lookupShard } from './mapping.js';
import type { PreparedDatabase } from './prepared-table.js';
import type { RouteParams } from './route-types.js';
import { formatShardKey, hashKey, keyFromParam, keyFromText, type KeyResult, type ShardDataType, type ShardKey } from './shard-value.js';
import { keyTarget, type KeyTarget, type StatementShape } from './statement-shape.js';
import { resolveKey, tableLabel } from './table-lookup.js';
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
    /** What to show when there is no key: an unbound `$n`, or a literal already in canonical form. */
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

  /** As a RouteKey prints (a serving route may hand out the fact itself as its key). */
  toJSON(): { table: string | null; column: string | null; value: string; hash: string | null } {
    return { table: this.table, column: this.column, value: this.value, hash: this.hash };
  }

  /** The same value reported without a table (a hint's bare key). */
  bare(): KeyFact {
    return new KeyFact(null, null, this.key, this.raw, this.hash64, this.shard, this.mapped);
  }
}

export interface KeyOutcome {
  /** Shards the rows can be on, ascending; null: the keys do not restrict the statement. */
  shards: number[] | null;
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
  shape: StatementShape;
  params: RouteParams | undefined;
  tableColumns: ReadonlyMap<string, readonly string[]> | undefined;
  /** Targets of positional candidates (INSERT without a column list) by position. */
  positional: Map<number, KeyTarget | null> | undefined;
  out: KeyOutcome;
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

/** The sharded column a positional candidate (INSERT without a column list) fills, from the
 *  column order the caller knows; not kept in the shape, since the order comes with the input. */
function positionalTarget(ctx: Ctx, c: KeyCandidate): KeyTarget | null {
  const columns = ctx.tableColumns;
  if (columns === undefined || c.table === null || c.position === null) return null;
  ctx.positional ??= new Map();
  let r = ctx.positional.get(c.position);
  if (r === undefined) {
    const names = columns.get(tableLabel(c.table)) ?? (c.table.schema !== null ? columns.get(c.table.name) : undefined);
    const column = names?.[c.position];
    r = column === undefined ? null : keyTarget(resolveKey(ctx.db, ctx.stmt, { ...c, column }));
    ctx.positional.set(c.position, r);
  }
  return r;
}

function leaf(ctx: Ctx, i: number): Leaf {
  const c = ctx.stmt.keys[i];
  const target = c.column === null ? positionalTarget(ctx, c) : ctx.shape.target(i);
  if (target === null) return null;
  const entry = target.entry;
  const table = target.label;
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
    if (v.type === 'int' && entry.dataType === 'bigint' && entry.mapping === null && v.text.length <= 15) {
      // The common key: an integer literal of a hashed bigint column. Its text is canonical
      // (analysis) and at most 15 characters is a safe integer, so the key parses with Number()
      // and prints as the literal itself.
      const hash = partitionHashSafeInteger(Number(v.text));
      const shard = shardFor(hash, ctx.db.shardCount);
      ctx.out.used.push(new KeyFact(table, entry.column, null, v.text, hash, shard, false));
      return [shard];
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

/** The mask of shards `e` allows; null: no restriction. Leaves are evaluated once each, in
 *  formula order (an OR stops at its first unrestricted branch), and kept in `leaves`. With
 *  `unboundAsAll`, an unbound parameter counts as "some shard" instead of "no restriction". */
function evalMask(ctx: Ctx, e: KeyExpr, leaves: (Leaf | undefined)[], unboundAsAll: boolean): number | null {
  switch (e.op) {
    case 'all':
      return null;
    case 'key': {
      let l = leaves[e.key];
      if (l === undefined) l = leaves[e.key] = leaf(ctx, e.key);
      if (l === UNBOUND) return unboundAsAll ? (1 << ctx.db.shardCount) - 1 : null;
      return l === null ? null : maskOf(l);
    }
    case 'and': {
      let acc: number | null = null;
      for (let i = 0; i < e.args.length; i++) {
        const m = evalMask(ctx, e.args[i], leaves, unboundAsAll);
        if (m !== null) acc = acc === null ? m : acc & m;
      }
      return acc;
    }
    case 'or': {
      let acc = 0;
      for (let i = 0; i < e.args.length; i++) {
        const m = evalMask(ctx, e.args[i], leaves, unboundAsAll);
        if (m === null) return null;
        acc |= m;
      }
      return acc;
    }
  }
}

function maskShards(mask: number): number[] {
  const out: number[] = [];
  for (let s = 0; mask !== 0; s++, mask >>>= 1) if (mask & 1) out.push(s);
  return out;
}

function ascending(shards: Iterable<number>): number[] {
  return [...shards].sort((a, b) => a - b);
}

export function evaluateKeys(
  db: PreparedDatabase, stmt: StatementAnalysis, shape: StatementShape, params: RouteParams | undefined,
  tableColumns?: ReadonlyMap<string, readonly string[]>,
): KeyOutcome {
  const out: KeyOutcome = { shards: null, used: [], unbound: null, restrictsOnceBound: false, problem: null, sawKeyColumn: false };
  if (stmt.keys.length === 0 || stmt.keyExpr.op === 'all') return out;
  const ctx: Ctx = { db, stmt, shape, params, tableColumns, positional: undefined, out };
  if (stmt.keyExpr.op === 'key') {
    // The common `WHERE key = value`: no formula to evaluate.
    const l = leaf(ctx, stmt.keyExpr.key);
    if (l === UNBOUND) out.restrictsOnceBound = true;
    else if (l !== null) out.shards = l.length === 1 ? (l as number[]) : ascending(l); // leaves are fresh arrays
    return out;
  }
  const leaves: (Leaf | undefined)[] = [];
  if (db.shardCount <= MASK_SHARDS) {
    const formula = shape.keyFormula();
    const m = evalMask(ctx, formula, leaves, false);
    out.shards = m === null ? null : maskShards(m);
    // Would the keys restrict the statement once bound? Count an unbound key as "some shards".
    if (m === null && out.unbound !== null) out.restrictsOnceBound = evalMask(ctx, formula, leaves, true) !== null;
    return out;
  }
  const get = (i: number): Leaf => {
    let l = leaves[i];
    if (l === undefined) l = leaves[i] = leaf(ctx, i);
    return l;
  };
  const set = evalKeyExpr(stmt.keyExpr, (i) => {
    const l = get(i);
    return l === UNBOUND || l === null ? null : new Set(l);
  });
  out.shards = set === null ? null : ascending(set);
  if (set === null && out.unbound !== null) {
    const all = new Set(Array.from({ length: db.shardCount }, (_, i) => i));
    out.restrictsOnceBound = evalKeyExpr(stmt.keyExpr, (i) => {
      const l = get(i);
      return l === UNBOUND ? all : l === null ? null : new Set(l);
    }) !== null;
  }
  return out;
}
