// Orders merged rows by the plan's sort keys: typed comparison per key, NULLs placed by
// NULLS FIRST / LAST (PostgreSQL's default: last for ASC, first for DESC).
import type { ResolvedSortKey } from './merge-columns.js';

export interface MergeRow {
  /** Values (views into `frame` for rows as a shard sent them); null = SQL NULL. */
  fields: (Buffer | null)[];
  /** The DataRow frame as received (copied), or null for a row the merger built. */
  frame: Buffer | null;
  /** Decoded sort keys, filled on first comparison. */
  keys: unknown[] | null;
}

export function sortKeysOf(row: MergeRow, sort: readonly ResolvedSortKey[]): unknown[] {
  if (row.keys === null) {
    row.keys = sort.map((k) => {
      const v = row.fields[k.index];
      return v === null || v === undefined ? null : k.type.decode(v);
    });
  }
  return row.keys;
}

export function compareRows(a: MergeRow, b: MergeRow, sort: readonly ResolvedSortKey[]): number {
  const ka = sortKeysOf(a, sort);
  const kb = sortKeysOf(b, sort);
  for (let i = 0; i < sort.length; i++) {
    const k = sort[i]!;
    const x = ka[i];
    const y = kb[i];
    let c: number;
    if (x === null || y === null) {
      if (x === y) continue;
      c = (x === null) === k.nullsFirst ? -1 : 1;
      if (c !== 0) return c;
      continue;
    }
    c = k.type.compare(x, y);
    if (c !== 0) return k.descending ? -c : c;
  }
  return 0;
}
