// Lookup structures over a routing table, built once per table object and kept in a WeakMap, so
// route() stays a pure function of (table, input) while doing only map lookups per statement.

import { loadRules } from '../rules/serialize.js';
import type { CompiledRule } from '../rules/compiled-rule.js';
import type { RuleExpr } from '../rules/ast.js';
import { prepareMapping } from './mapping.js';
import type { DatabaseRoutes, OmnishardedTableRoute, RoutingTable, ShardedTableRoute, UserRoutes } from './table.js';

export interface PreparedDatabase {
  routes: DatabaseRoutes;
  name: string;
  shardCount: number;
  /** Some shard has a replica: reads may leave the primary. */
  hasReplicas: boolean;
  /** Named sharded tables by table name. */
  shardedByName: Map<string, ShardedTableRoute[]>;
  /** Sharded-table entries without a name: the column is the key in any table. */
  shardedByColumnOnly: ShardedTableRoute[];
  omnisharded: Map<string, OmnishardedTableRoute[]>;
  /** Rules that can apply to this database, in file order. */
  blockRules: CompiledRule[];
  routeRules: CompiledRule[];
  /** Some rule reads the query text or its fingerprint: rule outcomes then vary with literal
   *  values and are not kept per statement shape. */
  rulesReadText: boolean;
}

export interface PreparedTable {
  databases: Map<string, PreparedDatabase>;
  users: readonly UserRoutes[];
  crossShardDisabled: boolean;
  readWriteSplit: RoutingTable['general']['readWriteSplit'];
  readWriteStrategy: RoutingTable['general']['readWriteStrategy'];
}

const cache = new WeakMap<RoutingTable, PreparedTable>();

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function readsQueryText(e: RuleExpr): boolean {
  switch (e.type) {
    case 'or':
    case 'and':
      return e.items.some(readsQueryText);
    case 'not':
      return readsQueryText(e.item);
    case 'compare':
    case 'regex':
      return e.field === 'query' || e.field === 'fingerprint';
    default:
      return false;
  }
}

function prepareDatabase(db: DatabaseRoutes, rules: readonly CompiledRule[]): PreparedDatabase {
  const shardedByName = new Map<string, ShardedTableRoute[]>();
  const shardedByColumnOnly: ShardedTableRoute[] = [];
  for (const t of db.shardedTables) {
    if (t.mapping) prepareMapping(t.mapping);
    if (t.name === null) shardedByColumnOnly.push(t);
    else push(shardedByName, t.name, t);
  }
  const omnisharded = new Map<string, OmnishardedTableRoute[]>();
  for (const t of db.omnishardedTables) push(omnisharded, t.name, t);
  const scoped = rules.filter((r) => r.database === undefined || r.database === db.name);
  return {
    routes: db,
    name: db.name,
    shardCount: db.shards.length,
    hasReplicas: db.shards.some((s) => s.hosts.some((h) => h.role === 'replica')),
    shardedByName,
    shardedByColumnOnly,
    omnisharded,
    blockRules: scoped.filter((r) => r.route.kind === 'block'),
    routeRules: scoped.filter((r) => r.route.kind !== 'block'),
    rulesReadText: scoped.some((r) => readsQueryText(r.expr)),
  };
}

/** The lookup form of `table` (cached per object: treat a table as immutable once routed). */
export function prepareRoutingTable(table: RoutingTable): PreparedTable {
  let p = cache.get(table);
  if (p) return p;
  const rules = loadRules(table.rules, '/rules');
  p = {
    databases: new Map(table.databases.map((d) => [d.name, prepareDatabase(d, rules)])),
    users: table.users,
    crossShardDisabled: table.general.crossShardDisabled,
    readWriteSplit: table.general.readWriteSplit,
    readWriteStrategy: table.general.readWriteStrategy,
  };
  cache.set(table, p);
  return p;
}

/** cross_shard_disabled for (user, database): the user's entry naming the database, else the
 *  user's all_databases entry, else [general]. */
export function crossShardDisabled(p: PreparedTable, user: string, database: string): boolean {
  let any: boolean | undefined;
  for (const u of p.users) {
    if (u.name !== user) continue;
    if (u.databases === null) any ??= u.crossShardDisabled;
    else if (u.databases.includes(database)) return u.crossShardDisabled;
  }
  return any ?? p.crossShardDisabled;
}
