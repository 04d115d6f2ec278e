// The routing table: everything route() needs, compiled from the config once and written as a
// versioned JSON artifact (`pgdog compile`). Plain data only (no functions, no bigints), so it
// serializes to the same bytes for the same input and loads back without a config. It holds no
// passwords and no user secrets: topology, sharded tables, rules and the few settings routing
// reads. Its JSON Schema is schemas/routes.schema.json.

import type { StoredRule } from '../rules/serialize.js';
import type { CompiledMapping } from './mapping.js';

export const ROUTING_TABLE_VERSION = 1;

export type HostRole = 'primary' | 'replica' | 'auto';
export type ReadWriteSplit = 'include_primary' | 'exclude_primary' | 'include_primary_if_replica_banned' | 'prefer_primary';
export type ReadWriteStrategy = 'conservative' | 'aggressive';
export type ShardedDataType = 'bigint' | 'varchar' | 'uuid' | 'vector';
export type Hasher = 'postgres' | 'sha1';

export interface SourceFile {
  /** Base name of the file the table was compiled from. */
  file: string;
  /** sha256 (hex) of its bytes: a table whose hashes differ from the files is stale. */
  sha256: string;
}

export interface HostRoute {
  role: HostRole;
  host: string;
  port: number;
  /** Database name on the server. */
  databaseName: string;
}

export interface ShardHosts {
  shard: number;
  /** In config order. */
  hosts: HostRoute[];
}

export interface ShardedTableRoute {
  /** Null: any schema. */
  schema: string | null;
  /** Null: any table that has `column`. */
  name: string | null;
  column: string;
  dataType: ShardedDataType;
  hasher: Hasher;
  /** List / range / default mapping; null: hash sharding. */
  mapping: CompiledMapping | null;
}

export interface OmnishardedTableRoute {
  /** Null when the config named the table without a schema (any schema). */
  schema: string | null;
  name: string;
  sticky: boolean;
}

export interface DatabaseRoutes {
  name: string;
  /** Index = shard number, contiguous from 0. */
  shards: ShardHosts[];
  shardedTables: ShardedTableRoute[];
  omnishardedTables: OmnishardedTableRoute[];
}

export interface RoutingSettings {
  readWriteSplit: ReadWriteSplit;
  readWriteStrategy: ReadWriteStrategy;
  crossShardDisabled: boolean;
  omnishardedSticky: boolean;
  queryCacheLimit: number;
}

/** A users.toml entry that changes routing (today: only cross_shard_disabled overrides). */
export interface UserRoutes {
  name: string;
  /** Databases the entry applies to; null: all databases. */
  databases: string[] | null;
  crossShardDisabled: boolean;
}

export interface PluginEntry {
  name: string;
  path: string | null;
  config: string | null;
}

export interface RoutingTable {
  version: typeof ROUTING_TABLE_VERSION;
  sources: { config: SourceFile; users: SourceFile };
  general: RoutingSettings;
  databases: DatabaseRoutes[];
  users: UserRoutes[];
  rules: StoredRule[];
  plugins: PluginEntry[];
}

/** The artifact's bytes: two-space JSON with a final newline. Key order is construction order,
 *  which compileRoutingTable fixes, so equal tables give equal bytes. */
export function stringifyRoutingTable(table: RoutingTable): string {
  return `${JSON.stringify(table, null, 2)}\n`;
}

/** Is the table compiled from files with these hashes? (`pgdog compile --check`, `serve --routes`.) */
export function isRoutingTableCurrent(table: Pick<RoutingTable, 'sources'>, configSha256: string, usersSha256: string): boolean {
  return table.sources.config.sha256 === configSha256 && table.sources.users.sha256 === usersSha256;
}
