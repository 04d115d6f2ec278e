// Public surface of routing: the routing table (compile, serialize, load) and route().
export { route } from './route.js';
export { boundKeyOf, literalKeyOf, type BoundKey, type LiteralKey } from './bound-key.js';
export type {
  Route, RouteInput, RouteSession, RouteParams, RouteKey, RouteBlock, RouteRole, RouteSource, RoutingHints, PluginDecision,
} from './route-types.js';
export { RouteSqlState } from './sqlstate.js';
export { compileRoutingTable } from './compile-table.js';
export {
  ROUTING_TABLE_VERSION, stringifyRoutingTable, isRoutingTableCurrent,
  type RoutingTable, type DatabaseRoutes, type ShardHosts, type HostRoute, type ShardedTableRoute, type OmnishardedTableRoute,
  type RoutingSettings, type UserRoutes, type PluginEntry, type SourceFile, type HostRole,
} from './table.js';
export { parseRoutingTable, checkRoutingTable, type LoadedRoutingTable } from './load-table.js';
export {
  initialSessionState, stepSession, advanceSession, toRouteSession, effectiveHints, setHint,
  type SessionState, type StepResult,
} from './session-state.js';
export { shardFor, hash64ToHex, type Hash64 } from './hash.js';
export { hashText, hashParam, hashNumber, keyFromText, keyFromParam, type ShardDataType, type HashResult, type KeyResult, type ShardKey } from './shard-value.js';
export { compileMapping, lookupShard, prepareMapping, ALL_SHARDS, type CompiledMapping, type MappingRule } from './mapping.js';
export { parseRouteTests, type RouteTestCase, type ParsedRouteTests } from './route-tests.js';
export { compareRoute, readExpectation, EXPECT_KEYS, type RouteExpectation, type RouteDiff } from './route-expect.js';
