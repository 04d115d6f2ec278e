// Input and output of route(). The output is SPEC §2's route object, key for key: `pgdog route
// --json`, `pgdog test`, admin SHOW ROUTE and the logs all print this object unchanged.

import type { QueryAnalysis, StatementKind } from '../sql/types.js';

export type RouteRole = 'primary' | 'replica';

/** What decided the route, highest precedence first (SPEC §3.2): plugin, comment, set, rule, then
 *  the SQL itself (sharding_key), the omnisharded default, or the plain default. */
export type RouteSource = 'sharding_key' | 'rule' | 'comment' | 'set' | 'plugin' | 'omnisharded' | 'default';

export interface RouteKey {
  /** `orders` or `billing.tenants`; null for a `pgdog_sharding_key` hint. */
  table: string | null;
  column: string | null;
  /** As the query gave it: canonical literal text, a bound parameter's text, or `$n` if unbound. */
  value: string;
  /** Partition hash (16 hex digits); null for list/range mappings and unbound parameters. */
  hash: string | null;
}

export interface RouteBlock {
  message: string;
  sqlstate: string;
}

export interface Route {
  query: string;
  database: string;
  user: string;
  statement: StatementKind;
  /** Tables of all statements, `schema.name` when the query qualified them. */
  tables: string[];
  /** Ascending shard numbers; "all" for a broadcast; [] when blocked. */
  shards: number[] | 'all';
  role: RouteRole;
  source: RouteSource;
  rule: string | null;
  key: RouteKey | null;
  /** More than one shard. */
  cross_shard: boolean;
  blocked: RouteBlock | null;
  reason: string;
}

/** Routing hints of a session: `SET pgdog.shard / pgdog.sharding_key / pgdog.role`. */
export interface RoutingHints {
  shard: number | null;
  shardingKey: string | null;
  role: RouteRole | null;
}

export interface RouteSession {
  /** Inside an explicit transaction (after BEGIN). */
  inTransaction: boolean;
  /** The transaction was started READ ONLY (BEGIN READ ONLY / SET TRANSACTION READ ONLY). */
  transactionReadOnly?: boolean;
  /** SET pgdog.* hints in effect (session and LOCAL ones merged by the caller). */
  hints?: RoutingHints;
  applicationName?: string;
}

/** Bind parameters: values as received (text or binary bytes, or a JS string for text), null for
 *  SQL NULL; format codes as in Bind (none: all text; one: applies to all; else one each). */
export interface RouteParams {
  values: readonly (Uint8Array | string | null)[];
  formats?: readonly number[];
}

/** A plugin's answer, obtained by the runtime before calling route() (precedence step 2). */
export interface PluginDecision {
  plugin: string;
  shard?: number | 'all';
  role?: RouteRole;
  /** Block the query with this message. */
  block?: string;
}

export interface RouteInput {
  database: string;
  user: string;
  query: string;
  analysis: QueryAnalysis;
  session: RouteSession;
  /** Absent: the statement has not been bound (a dry run, or routing at Parse time). */
  params?: RouteParams;
  plugin?: PluginDecision;
  /**
   * Column order of tables, for `INSERT INTO t VALUES (...)` without a column list: the value at
   * position k is for column k, so the sharding key can be found. Keys are table names as route
   * objects list them (`orders`, `billing.tenants`); a schema-qualified table without its own
   * entry is looked up by its bare name. `pgdog serve` fills this from the live schema.
   */
  tableColumns?: ReadonlyMap<string, readonly string[]>;
  /**
   * false: the route is for serving, which reads where the query goes and nothing else: `reason`
   * is left empty, `tables` may be shared with other routes (do not change it) and `key` may be
   * a view that works its value and hash out when read. The routing fields are the same either
   * way. Absent or true: the full route object, as `pgdog route` prints it.
   */
  explain?: boolean;
}

export const NO_HINTS: RoutingHints = Object.freeze({ shard: null, shardingKey: null, role: null });
