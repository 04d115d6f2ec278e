// Resolves the plan's column positions against the shards' RowDescription and prepares the
// typed comparators and aggregate states the merge needs, failing early (before any row) on a
// type the merger cannot handle.
import type { ColumnPos, CrossShardPlan } from '@pgdog/compiler';
import type { DescribedColumn } from '../protocol/backend/row-description.js';
import { aggregateStateFactory, type AggregateState } from './aggregate-state.js';
import { columnType, Oid, typeName, type ColumnType } from './column-types.js';
import { MergeError, MergeSqlState } from './merge-error.js';

// Their binary keys (days / microseconds since 2000) and text keys (calendar parts) differ.
const TIME_TYPES: ReadonlySet<number> = new Set([Oid.Date, Oid.Timestamp, Oid.Timestamptz]);

export interface ResolvedSortKey {
  readonly index: number;
  readonly type: ColumnType;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export interface ResolvedAggregate {
  readonly index: number;
  readonly sum: number;
  readonly count: number;
  readonly create: () => AggregateState;
}

export interface MergeColumns {
  readonly total: number;
  readonly visible: number;
  readonly sort: readonly ResolvedSortKey[];
  /** Group key columns (aggregate queries) with their types. */
  readonly groupBy: readonly { index: number; type: ColumnType }[];
  readonly aggregates: readonly ResolvedAggregate[];
  /** Types of the visible columns, for DISTINCT (null entries make DISTINCT fail). */
  readonly distinct: readonly { index: number; type: ColumnType }[];
  /** Type of any column, null when unsupported. */
  typeAt(index: number): ColumnType | null;
  /** The text-format codec of the column's type (for constants compared with it). */
  textTypeAt(index: number): ColumnType | null;
  /** Keys of the column's format compare with keys of its text form. */
  textComparable(index: number): boolean;
}

export function resolveColumn(pos: ColumnPos, total: number, hidden: number): number {
  const visible = total - hidden;
  const index = pos.kind === 'start' ? pos.index : pos.kind === 'end' ? visible - 1 - pos.index : visible + pos.index;
  if (index < 0 || index >= total || (pos.kind !== 'hidden' && index >= visible)) {
    throw new MergeError(MergeSqlState.InternalError, `merge plan column out of range (${pos.kind} ${pos.index} of ${total})`);
  }
  return index;
}

export function resolveMergeColumns(plan: CrossShardPlan, columns: readonly DescribedColumn[]): MergeColumns {
  const total = columns.length;
  const visible = total - plan.hiddenColumns;
  const at = (pos: ColumnPos): number => resolveColumn(pos, total, plan.hiddenColumns);
  const typeAt = (index: number): ColumnType | null => columnType(columns[index]!.typeOid, columns[index]!.format);
  const typed = (index: number, what: string): ColumnType => {
    const t = typeAt(index);
    if (t === null) {
      throw new MergeError(MergeSqlState.FeatureNotSupported, `${what} on column "${columns[index]!.name}" of ${typeName(columns[index]!.typeOid)} is not supported in a query that spans several shards`);
    }
    return t;
  };
  const sort = plan.orderBy.map((k) => {
    const index = at(k.column);
    return { index, type: typed(index, 'ORDER BY'), descending: k.descending, nullsFirst: k.nullsFirst };
  });
  const agg = plan.aggregate;
  const groupBy = (agg?.groupBy ?? []).map((pos) => {
    const index = at(pos);
    return { index, type: typed(index, 'GROUP BY') };
  });
  const format = (index: number): { typeOid: number; format: number } => ({ typeOid: columns[index]!.typeOid, format: columns[index]!.format });
  const aggregates = (agg?.aggregates ?? []).map((a) => {
    const index = at(a.column);
    const sum = a.sum === null ? -1 : at(a.sum);
    const count = a.count === null ? -1 : at(a.count);
    const create = aggregateStateFactory(a.fn, {
      value: format(index), sum: sum < 0 ? null : format(sum), count: count < 0 ? null : format(count),
    });
    return { index, sum, count, create };
  });
  const distinct = plan.distinct
    ? Array.from({ length: visible }, (_, index) => ({ index, type: typed(index, 'DISTINCT') }))
    : [];
  const textTypeAt = (index: number): ColumnType | null => columnType(columns[index]!.typeOid, 0);
  const textComparable = (index: number): boolean =>
    columns[index]!.format === 0 || !TIME_TYPES.has(columns[index]!.typeOid);
  return { total, visible, sort, groupBy, aggregates, distinct, typeAt, textTypeAt, textComparable };
}

/** RowDescriptions of the same statement on different shards must agree on what the client sees
 *  (table OIDs and attribute numbers differ between databases and are not compared). */
export function sameShape(a: readonly DescribedColumn[], b: readonly DescribedColumn[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((c, i) => {
    const d = b[i]!;
    return c.name === d.name && c.typeOid === d.typeOid && c.typeModifier === d.typeModifier && c.format === d.format && c.typeSize === d.typeSize;
  });
}
