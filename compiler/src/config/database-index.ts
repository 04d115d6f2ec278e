// The databases a config defines, grouped by `name` (one cluster per name), as every
// cross-reference check needs them.

import { childPointer } from './pointer.js';
import { int, str, tablesOf, type Table } from './shape.js';
import type { SemanticDefaults } from './semantic-defaults.js';

export interface HostEntry {
  /** '/databases/2' or '/servers/0'. */
  pointer: string;
  item: Table;
  name: string;
  host: string | undefined;
  /** undefined when the written value is malformed (the schema stage reports it). */
  port: number | undefined;
  databaseName: string | undefined;
  shard: number | undefined;
  role: string | undefined;
}

export interface DatabaseInfo {
  name: string;
  entries: HostEntry[];
  /** Highest well-formed shard number + 1. */
  shardCount: number;
}

export type DatabaseIndex = Map<string, DatabaseInfo>;

function withDefault<T>(item: Table, key: string, read: T | undefined, fallback: T): T | undefined {
  return Object.prototype.hasOwnProperty.call(item, key) ? read : fallback;
}

export function hostEntries(pgdog: Table | undefined, d: SemanticDefaults): HostEntry[] {
  const out: HostEntry[] = [];
  // Both sections are indexed even though having both is an error: references to either then
  // resolve, and the one real mistake is reported once instead of as a cascade.
  for (const section of ['databases', 'servers']) {
    for (const { index, item } of tablesOf(pgdog, section)) {
      const name = str(item, 'name');
      if (name === undefined) continue;
      out.push({
        pointer: childPointer('/' + section, index),
        item,
        name,
        host: str(item, 'host'),
        port: withDefault(item, 'port', int(item, 'port'), d.port),
        databaseName: withDefault(item, 'database_name', str(item, 'database_name'), name),
        shard: withDefault(item, 'shard', int(item, 'shard'), d.shard),
        role: withDefault(item, 'role', str(item, 'role'), d.role),
      });
    }
  }
  return out;
}

export function indexDatabases(entries: readonly HostEntry[]): DatabaseIndex {
  const index: DatabaseIndex = new Map();
  for (const e of entries) {
    let info = index.get(e.name);
    if (!info) {
      info = { name: e.name, entries: [], shardCount: 1 };
      index.set(e.name, info);
    }
    info.entries.push(e);
    if (e.shard !== undefined && e.shard >= 0) info.shardCount = Math.max(info.shardCount, e.shard + 1);
  }
  return index;
}
