// pgDog's list / range / default mappings ([[sharded_tables.mapping]]). Lookup order: an exact list
// value (a value listed twice keeps the last rule's shard), then the first range in config order
// with start <= v < end (an absent bound is unbounded), then the default rule (the last one wins),
// else every shard. Values compare only within the column's kind: int64 numerically, UUIDs by their
// bytes, text by its UTF-8 bytes; a config value of another kind can never match and is dropped.
//
// `compileMapping` produces plain JSON for the routing-table artifact; `lookupShard` prepares a
// Map and ordered bounds from it once (cached per compiled object) and then only compares.

import { parseInt64Text, type Int64Value } from './int8-text.js';
import type { ShardDataType, ShardKey } from './shard-value.js';
import { parseUuidText, uuidToHex } from './uuid-text.js';

/** A TOML-level value: integers as numbers (or bigints beyond 2^53), UUIDs and text as strings. */
export type MappingValue = number | bigint | string;

/** One `[[sharded_tables.mapping]]` entry: `values` = list rule, `start`/`end` = range, else default. */
export interface MappingRule {
  readonly values?: readonly MappingValue[];
  readonly start?: MappingValue;
  readonly end?: MappingValue;
  readonly shard: number;
}

/** Bounds as normalized values (see CompiledMapping); null = unbounded. */
export interface CompiledRange {
  readonly start: string | null;
  readonly end: string | null;
  readonly shard: number;
}

/**
 * JSON-serializable. Normalized values: bigint as its decimal string, uuid as 32 lowercase hex
 * digits, varchar as the text itself.
 */
export interface CompiledMapping {
  readonly dataType: ShardDataType;
  /** [value, shard], each value once. */
  readonly list: readonly (readonly [string, number])[];
  /** In config order; only ranges whose bounds are of the column's kind. */
  readonly ranges: readonly CompiledRange[];
  readonly defaultShard: number | null;
}

/** What `lookupShard` returns when nothing matches and there is no default rule. */
export const ALL_SHARDS = 'all';

// A value in comparable form: int64 as number|bigint (JS compares the two exactly), uuid as hex,
// text as a "byte string" (one char per UTF-8 byte), whose `<` order is the byte order.
type Comparable = Int64Value | string;

const URN_PREFIX = 'urn:uuid:';

/** The normalized form of a config value for a column of `dataType`, or undefined if it can never match. */
export function normalizeMappingValue(value: MappingValue, dataType: ShardDataType): string | undefined {
  switch (dataType) {
    case 'bigint':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : undefined;
      if (typeof value === 'bigint') return BigInt.asIntN(64, value) === value ? String(value) : undefined;
      return undefined;
    case 'uuid': {
      if (typeof value !== 'string') return undefined;
      // pgDog reads config UUIDs with the Rust uuid crate, which also takes the URN form.
      const text = value.toLowerCase().startsWith(URN_PREFIX) ? value.slice(URN_PREFIX.length) : value;
      const bytes = parseUuidText(text);
      return bytes ? uuidToHex(bytes) : undefined;
    }
    case 'varchar':
      return typeof value === 'string' ? value : undefined;
  }
}

export function compileMapping(rules: readonly MappingRule[], dataType: ShardDataType): CompiledMapping {
  const list = new Map<string, number>();
  const ranges: CompiledRange[] = [];
  let defaultShard: number | null = null;
  for (const rule of rules) {
    if (rule.values !== undefined) {
      for (const v of rule.values) {
        const key = normalizeMappingValue(v, dataType);
        if (key === undefined) continue;
        list.delete(key); // re-insert so the artifact lists values in their effective order
        list.set(key, rule.shard);
      }
    } else if (rule.start !== undefined || rule.end !== undefined) {
      const start = rule.start === undefined ? null : normalizeMappingValue(rule.start, dataType);
      const end = rule.end === undefined ? null : normalizeMappingValue(rule.end, dataType);
      if (start === undefined || end === undefined) continue;
      ranges.push({ start, end, shard: rule.shard });
    } else {
      defaultShard = rule.shard;
    }
  }
  return { dataType, list: [...list], ranges, defaultShard };
}

interface PreparedRange {
  start: Comparable | undefined;
  end: Comparable | undefined;
  shard: number;
}

interface PreparedMapping {
  kind: ShardDataType;
  list: Map<Comparable, number>;
  /** Config order, or sorted by start when `bisect`. */
  ranges: PreparedRange[];
  /** Ranges are disjoint (so order cannot matter) and numerous enough to binary-search. */
  bisect: boolean;
  defaultShard: number | null;
}

const BISECT_FROM = 8;
const prepared = new WeakMap<CompiledMapping, PreparedMapping>();

function comparableFromNormalized(text: string, kind: ShardDataType): Comparable {
  switch (kind) {
    case 'bigint': {
      const v = parseInt64Text(text);
      if (v === undefined || String(v) !== text) throw new Error(`compiled mapping: bad bigint value ${JSON.stringify(text)}`);
      return v;
    }
    case 'uuid':
      if (!/^[0-9a-f]{32}$/.test(text)) throw new Error(`compiled mapping: bad uuid value ${JSON.stringify(text)}`);
      return text;
    case 'varchar':
      return Buffer.from(text, 'utf8').toString('latin1');
  }
}

function comparableFromKey(key: ShardKey): Comparable {
  switch (key.kind) {
    case 'bigint':
      return key.value;
    case 'uuid':
      return uuidToHex(key.bytes);
    case 'varchar': {
      const b = key.bytes;
      return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
    }
  }
}

function disjoint(sorted: PreparedRange[]): boolean {
  for (let i = 1; i < sorted.length; i++) {
    const prevEnd = sorted[i - 1].end;
    const start = sorted[i].start;
    if (prevEnd === undefined || start === undefined || prevEnd > start) return false;
  }
  return true;
}

/** Builds (once per compiled object) the lookup structure; throws if the artifact is malformed. */
export function prepareMapping(compiled: CompiledMapping): void {
  if (prepared.has(compiled)) return;
  const kind = compiled.dataType;
  const list = new Map<Comparable, number>();
  for (const [value, shard] of compiled.list) list.set(comparableFromNormalized(value, kind), shard);
  const ranges: PreparedRange[] = [];
  for (const r of compiled.ranges) {
    const start = r.start === null ? undefined : comparableFromNormalized(r.start, kind);
    const end = r.end === null ? undefined : comparableFromNormalized(r.end, kind);
    // An empty range matches nothing; dropping it keeps the disjointness test meaningful.
    if (start !== undefined && end !== undefined && start >= end) continue;
    ranges.push({ start, end, shard: r.shard });
  }
  let bisect = false;
  if (ranges.length >= BISECT_FROM) {
    const sorted = [...ranges].sort((a, b) => (a.start === undefined ? -1 : b.start === undefined ? 1 : a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    if (disjoint(sorted)) {
      ranges.splice(0, ranges.length, ...sorted);
      bisect = true;
    }
  }
  prepared.set(compiled, { kind, list, ranges, bisect, defaultShard: compiled.defaultShard });
}

function rangeShard(p: PreparedMapping, v: Comparable): number | undefined {
  const ranges = p.ranges;
  if (!p.bisect) {
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i];
      if ((r.start === undefined || v >= r.start) && (r.end === undefined || v < r.end)) return r.shard;
    }
    return undefined;
  }
  // Disjoint and sorted by start: only the last range starting at or before v can hold it.
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = ranges[mid].start;
    if (s === undefined || s <= v) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return undefined;
  const r = ranges[lo - 1];
  return r.end === undefined || v < r.end ? r.shard : undefined;
}

/** The shard for a key (already converted to the column's type), or 'all'. */
export function lookupShard(compiled: CompiledMapping, key: ShardKey): number | typeof ALL_SHARDS {
  let p = prepared.get(compiled);
  if (p === undefined) {
    prepareMapping(compiled);
    p = prepared.get(compiled) as PreparedMapping;
  }
  if (key.kind === p.kind) {
    const v = comparableFromKey(key);
    const listed = p.list.get(v);
    if (listed !== undefined) return listed;
    const ranged = rangeShard(p, v);
    if (ranged !== undefined) return ranged;
  }
  return p.defaultShard ?? ALL_SHARDS;
}
