// A valid config -> its routing table. Deterministic: every object is built with a fixed key
// order and every list keeps config order, so the same files always give the same bytes.

import { basename } from 'node:path';
import type { RuleInput } from '../rules/ast.js';
import type { DeepReadonly, NormalizedConfig } from '../config/types.js';
import { compileMapping, type MappingRule } from './mapping.js';
import type { ShardDataType } from './shard-value.js';
import {
  ROUTING_TABLE_VERSION, type DatabaseRoutes, type HostRoute, type OmnishardedTableRoute, type PluginEntry,
  type RoutingTable, type ShardedTableRoute, type UserRoutes,
} from './table.js';

type Config = DeepReadonly<NormalizedConfig>;
type Pgdog = Config['pgdog'];

function databases(pgdog: Pgdog): DatabaseRoutes[] {
  const byName = new Map<string, DatabaseRoutes>();
  for (const d of pgdog.databases) {
    let db = byName.get(d.name);
    if (!db) {
      db = { name: d.name, shards: [], shardedTables: [], omnishardedTables: [] };
      byName.set(d.name, db);
    }
    while (db.shards.length <= d.shard) db.shards.push({ shard: db.shards.length, hosts: [] });
    const host: HostRoute = { role: d.role, host: d.host, port: d.port, databaseName: d.database_name ?? d.name };
    db.shards[d.shard].hosts.push(host);
  }
  for (const t of pgdog.sharded_tables) {
    const db = byName.get(t.database);
    if (!db) continue;
    const route: ShardedTableRoute = {
      schema: t.schema ?? null,
      name: t.name ?? null,
      column: t.column,
      dataType: t.data_type,
      hasher: t.hasher,
      mapping: t.mapping && t.mapping.length > 0 && t.data_type !== 'vector'
        ? compileMapping(t.mapping as readonly MappingRule[], t.data_type as ShardDataType)
        : null,
    };
    db.shardedTables.push(route);
  }
  for (const o of pgdog.omnisharded_tables) {
    const db = byName.get(o.database);
    if (!db) continue;
    for (const written of o.tables) db.omnishardedTables.push(omnishardedTable(written, o.sticky));
  }
  return [...byName.values()];
}

/** `tax_rates` or `public.tax_rates` (the last dot separates the schema). */
function omnishardedTable(written: string, sticky: boolean): OmnishardedTableRoute {
  const dot = written.lastIndexOf('.');
  return dot < 0
    ? { schema: null, name: written, sticky }
    : { schema: written.slice(0, dot), name: written.slice(dot + 1), sticky };
}

function users(config: Config): UserRoutes[] {
  const out: UserRoutes[] = [];
  for (const u of config.users.users) {
    if (u.cross_shard_disabled === undefined) continue;
    const dbs = u.all_databases ? null : [...new Set([...(u.database !== undefined ? [u.database] : []), ...u.databases])];
    out.push({ name: u.name, databases: dbs, crossShardDisabled: u.cross_shard_disabled });
  }
  return out;
}

function plugins(pgdog: Pgdog): PluginEntry[] {
  return pgdog.plugins.map((p) => ({ name: p.name, path: p.path ?? null, config: p.config ?? null }));
}

async function rules(pgdog: Pgdog, shardCounts: ReadonlyMap<string, number>): Promise<RoutingTable['rules']> {
  if (pgdog.query_rules.length === 0) return [];
  // Loaded only when there are rules: the rule compiler brings chevrotain (~270 ms to import).
  const [{ compileRules }, { serializeRules }] = await Promise.all([import('../rules/compile.js'), import('../rules/serialize.js')]);
  const inputs: RuleInput[] = pgdog.query_rules.map((r) => {
    const input: RuleInput = { name: r.name, match: r.match, route: r.route };
    if (r.database !== undefined) input.database = r.database;
    if (r.user !== undefined) input.user = r.user;
    if (r.message !== undefined) input.message = r.message;
    return input;
  });
  const compiled = compileRules(inputs, { analyze: false, shardCount: (db) => (db === undefined ? undefined : shardCounts.get(db)) });
  if (compiled.errors.length > 0) {
    // A config that passed validation has no rule errors; reaching this is a bug, not bad input.
    throw new Error(`query rules do not compile: ${compiled.errors.map((e) => `${e.ruleName}: ${e.message}`).join('; ')}`);
  }
  return serializeRules(compiled.rules);
}

/** The routing table of a validated config (loadConfig's `config`). */
export async function compileRoutingTable(config: Config): Promise<RoutingTable> {
  const pgdog = config.pgdog;
  const g = pgdog.general;
  const dbs = databases(pgdog);
  const shardCounts = new Map(dbs.map((d) => [d.name, d.shards.length]));
  return {
    version: ROUTING_TABLE_VERSION,
    sources: {
      config: { file: basename(config.sources.configPath), sha256: config.sources.configSha256 },
      users: { file: basename(config.sources.usersPath), sha256: config.sources.usersSha256 },
    },
    general: {
      readWriteSplit: g.read_write_split,
      readWriteStrategy: g.read_write_strategy,
      crossShardDisabled: g.cross_shard_disabled,
      omnishardedSticky: g.omnisharded_sticky,
      queryCacheLimit: g.query_cache_limit,
    },
    databases: dbs,
    users: users(config),
    rules: await rules(pgdog, shardCounts),
    plugins: plugins(pgdog),
  };
}
