// [[sharded_tables.mapping]]: value types against the column's data_type, shard numbers,
// duplicate list values, empty and overlapping ranges, more than one default.

import { clash, finding, type Finding } from './finding.js';
import { expectedKind, identity, isEmptyRange, mappingKey, rangesOverlap, type MappingKey, type Range } from './mapping-values.js';
import { childPointer } from './pointer.js';
import { asArray, describeValue, has, int, tablesOf, type Table } from './shape.js';

export interface MappedTable {
  /** '/sharded_tables/3' */
  pointer: string;
  item: Table;
  dataType: string;
  database: string;
  /** Shard count of the database, or undefined if the database is unknown. */
  shardCount: number | undefined;
}

function describeRange(start: unknown, end: unknown): string {
  return `[${start === undefined ? '-inf' : describeValue(start)}, ${end === undefined ? '+inf' : describeValue(end)})`;
}

/** Integers and strings are what the schema allows; anything else is already a schema error. */
function isFlexible(raw: unknown): boolean {
  return typeof raw === 'string' || typeof raw === 'bigint' || (typeof raw === 'number' && Number.isInteger(raw));
}

function typed(t: MappedTable, pointer: string, raw: unknown, out: Finding[]): MappingKey | undefined {
  const key = mappingKey(t.dataType, raw);
  if (key === undefined && isFlexible(raw)) {
    const expected = expectedKind(t.dataType) ?? 'absent (this column type is not sharded by value)';
    out.push(finding('pgdog', pointer, 'value', 'E_MAPPING_TYPE', { dataType: t.dataType, expected, actual: describeValue(raw) }));
  }
  return key;
}

export function checkMappings(t: MappedTable): Finding[] {
  const out: Finding[] = [];
  const listed = new Map<string, { shard: number; pointer: string }>();
  const ranges: { range: Range; raw: [unknown, unknown]; pointer: string }[] = [];
  let defaultAt: string | undefined;

  for (const { index, item } of tablesOf(t.item, 'mapping')) {
    const at = childPointer(childPointer(t.pointer, 'mapping'), index);
    const shard = int(item, 'shard');
    if (shard !== undefined && t.shardCount !== undefined && shard >= t.shardCount && shard >= 0) {
      out.push(finding('pgdog', childPointer(at, 'shard'), 'value', 'E_SHARD_OUT_OF_RANGE', { database: t.database, shard, count: t.shardCount }));
    }
    const values = asArray(item.values);
    if (values) {
      values.forEach((raw, k) => {
        const p = childPointer(childPointer(at, 'values'), k);
        const key = typed(t, p, raw, out);
        if (!key || shard === undefined) return;
        const id = identity(key);
        const earlier = listed.get(id);
        if (earlier) out.push(clash('pgdog', p, 'value', 'E_DUPLICATE_VALUE', { value: describeValue(raw), shard: earlier.shard }, earlier.pointer));
        else listed.set(id, { shard, pointer: p });
      });
    } else if (has(item, 'start') || has(item, 'end')) {
      const start = has(item, 'start') ? typed(t, childPointer(at, 'start'), item.start, out) : undefined;
      const end = has(item, 'end') ? typed(t, childPointer(at, 'end'), item.end, out) : undefined;
      if ((has(item, 'start') && !start) || (has(item, 'end') && !end)) continue;
      const range: Range = { start, end };
      const raw: [unknown, unknown] = [item.start, item.end];
      const p = childPointer(at, has(item, 'start') ? 'start' : 'end');
      if (isEmptyRange(range)) {
        out.push(finding('pgdog', p, 'value', 'E_EMPTY_RANGE', { range: describeRange(...raw) }));
        continue;
      }
      const other = ranges.find((r) => rangesOverlap(r.range, range));
      if (other) {
        out.push(clash('pgdog', p, 'value', 'E_RANGE_OVERLAP', { range: describeRange(...raw), other: describeRange(...other.raw) }, other.pointer));
      }
      ranges.push({ range, raw, pointer: p });
    } else if (shard !== undefined) {
      if (defaultAt !== undefined) out.push(clash('pgdog', at, 'value', 'E_DUPLICATE_DEFAULT', {}, defaultAt));
      else defaultAt = at;
    }
  }
  return out;
}
