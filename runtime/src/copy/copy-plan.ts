// How `COPY table FROM STDIN` over several shards is carried out, decided from the config's
// sharded / omnisharded tables and the COPY's column order (its list, else the live table's):
// split rows by the sharding column, send every row to every shard (omnisharded table), or refuse.
// The shard of a key value is computed exactly as route() computes it (partition hash of the value
// converted to the column's data_type, or the list / range mapping). Pure.

import {
  ALL_SHARDS, hashParam, keyFromParam, lookupShard, shardFor,
  type CopyInfo, type DatabaseRoutes, type ShardDataType, type ShardedTableRoute, type TableName,
} from '@pgdog/compiler';
import type { CopySplitOptions } from './copy-splitter.js';

export type CopyInPlan =
  | { readonly kind: 'split'; readonly options: CopySplitOptions }
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'refuse'; readonly message: string };

function sameSchema(configured: string | null, written: string | null): boolean {
  return configured === null || written === null || configured === written;
}

export function tableLabel(t: TableName): string {
  return t.schema === null ? t.name : `${t.schema}.${t.name}`;
}

/** The table is configured as omnisharded (its rows live on every shard). */
export function isOmnisharded(db: DatabaseRoutes, t: TableName): boolean {
  return db.omnishardedTables.some((o) => o.name === t.name && sameSchema(o.schema, t.schema));
}

/** The [[sharded_tables]] entry naming the table, else null. */
function namedEntry(db: DatabaseRoutes, t: TableName): ShardedTableRoute | null {
  return db.shardedTables.find((e) => e.name === t.name && sameSchema(e.schema, t.schema)) ?? null;
}

/** Does the plan need the live column order (no column list, and the table is not omnisharded)? */
export function needsTableColumns(db: DatabaseRoutes, info: CopyInfo): boolean {
  return info.columns === null && info.table !== null && !isOmnisharded(db, info.table);
}

/**
 * `columns`: the COPY's column list, or (without one) the live table's COPY columns; null when the
 * table was not found.
 */
export function copyInPlan(db: DatabaseRoutes, info: CopyInfo, columns: readonly string[] | null): CopyInPlan {
  const t = info.table;
  if (t === null) return { kind: 'refuse', message: 'pgdog: COPY FROM needs a table' };
  const label = tableLabel(t);
  if (isOmnisharded(db, t)) return { kind: 'broadcast' };
  if (columns === null) return { kind: 'refuse', message: `pgdog: relation "${label}" does not exist on shard 0, so its column order is unknown and COPY rows cannot be split; give a column list` };
  const named = namedEntry(db, t);
  const entry = named ?? db.shardedTables.find((e) => e.name === null && sameSchema(e.schema, t.schema) && columns.includes(e.column)) ?? null;
  if (entry === null) {
    return { kind: 'refuse', message: `pgdog: COPY into ${label}, which is neither sharded nor omnisharded, would store every row on every shard; COPY it on one shard with a pgdog.shard hint, or configure the table` };
  }
  const keyColumn = columns.indexOf(entry.column);
  if (keyColumn < 0) return { kind: 'refuse', message: `pgdog: COPY into ${label} without its sharding column ${entry.column} cannot be split by row; add ${entry.column} to the column list` };
  if (entry.dataType === 'vector' || entry.hasher !== 'postgres') {
    return { kind: 'refuse', message: `pgdog: COPY into ${label} cannot be split: ${entry.column} uses ${entry.dataType === 'vector' ? 'vector sharding' : `the ${entry.hasher} hasher`}, which is not implemented` };
  }
  return {
    kind: 'split',
    options: {
      format: info.format, delimiter: info.delimiter, quote: info.quote, escape: info.escape, null: info.null, header: info.header,
      keyColumn, columnCount: columns.length, shards: db.shards.length, shardOf: keyShard(entry, db.shards.length, `${label}.${entry.column}`),
    },
  };
}

/**
 * The shard of one key value (text format 0, binary 1). NULL: PostgreSQL's hash partitioning puts
 * a NULL key in the partition of remainder 0, so shard 0; a mapping has no place for it.
 */
export function keyShard(entry: ShardedTableRoute, shardCount: number, label: string): (value: Buffer | null, format: 0 | 1) => number | string {
  const type = entry.dataType as ShardDataType;
  const mapping = entry.mapping;
  if (mapping === null) {
    return (value, format) => {
      if (value === null) return 0;
      const h = hashParam(type, value, format);
      return h.ok ? shardFor(h.hash, shardCount) : `the ${label} value cannot be used as a ${type} key (${h.reason})`;
    };
  }
  return (value, format) => {
    if (value === null) return `${label} is NULL, which no mapping rule places`;
    const k = keyFromParam(type, value, format);
    if (!k.ok) return `the ${label} value cannot be used as a ${type} key (${k.reason})`;
    const s = lookupShard(mapping, k.key);
    return s === ALL_SHARDS ? `the ${label} value matches no mapping rule and the table has no default` : s;
  };
}
