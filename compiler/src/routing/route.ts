// THE routing function: routing table + analysed query + session (+ bind values) -> the route
// object of SPEC §2. Pure: no I/O, no clock, no randomness, and the inputs are not changed.
// `pgdog route`, `pgdog test` and `pgdog serve` all call it, so they cannot disagree.
//
// A query with several statements is routed statement by statement (SET pgdog.* and BEGIN take
// effect for the statements after them) and the results are united: shards are the union, the
// role is the primary if any statement needs it, and the first block wins. Transaction control,
// SET and SHOW follow the other statements instead of pulling in shard 0.
//
// Speed: what does not depend on literal values is remembered per statement shape
// (statement-shape.ts), and a one-statement query without hints, plugin answer or matching rule
// takes routePlainStatement(). Both give exactly what the full path gives (route-cache-equivalence
// test); they only skip work.

import type { StatementAnalysis } from '../sql/types.js';
import { crossShardDisabled, prepareRoutingTable, type PreparedDatabase, type PreparedTable } from './prepared-table.js';
import type { Route, RouteInput, RouteKey } from './route-types.js';
import { tableNamesOf } from './rule-facts.js';
import { initialSessionState, stepSession } from './session-state.js';
import { shardList } from './sql-shards.js';
import { RouteSqlState } from './sqlstate.js';
import { routePlainStatement, routeStatement, SOURCE_RANK, type StatementContext, type StatementDecision } from './statement-route.js';
import { statementShape, type StatementShape } from './statement-shape.js';
import type { RoutingTable } from './table.js';

const MAX_LISTED_REASONS = 3;

function tablesOf(statements: readonly StatementAnalysis[]): string[] {
  if (statements.length === 1) return tableNamesOf(statements[0].tables).slice();
  const seen = new Set<string>();
  for (const s of statements) for (const t of tableNamesOf(s.tables)) seen.add(t);
  return [...seen];
}

function copyOf(names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) out.push(names[i]);
  return out;
}

function unknownDatabase(input: RouteInput, p: PreparedTable): Route {
  const known = [...p.databases.keys()];
  const message = `database "${input.database}" is not in the routing table${known.length > 0 ? ` (databases: ${known.join(', ')})` : ''}`;
  return {
    query: input.query,
    database: input.database,
    user: input.user,
    statement: input.analysis.ok && input.analysis.statements.length > 0 ? input.analysis.statements[0].kind : 'other',
    tables: input.analysis.ok ? tablesOf(input.analysis.statements) : [],
    shards: [],
    role: 'primary',
    source: 'default',
    rule: null,
    key: null,
    cross_shard: false,
    blocked: { message, sqlstate: RouteSqlState.InvalidCatalogName },
    reason: `Blocked: ${message}.`,
  };
}

/** decide() for the common one-statement query, without the arrays. */
function decideOne(p: PreparedTable, db: PreparedDatabase, input: RouteInput, stmt: StatementAnalysis, shape: StatementShape): StatementDecision {
  const state = initialSessionState(input.session);
  if (stmt.set !== null && stmt.set.hint !== null) {
    const step = stepSession(state, stmt);
    return routeStatement({ p, db, input, state: step.state, setError: step.error, shape }, stmt);
  }
  const ctx: StatementContext = { p, db, input, state, setError: null, shape };
  return routePlainStatement(ctx, stmt, shape) ?? routeStatement(ctx, stmt);
}

function decide(p: PreparedTable, db: PreparedDatabase, input: RouteInput): StatementDecision[] {
  let state = initialSessionState(input.session);
  const analysis = input.analysis;
  if (!analysis.ok) return [routeStatement({ p, db, input, state, setError: null }, null)];
  const out: StatementDecision[] = [];
  for (const stmt of analysis.statements) {
    // A routing SET takes effect for itself (so `SET pgdog.shard TO 2` shows shard 2); anything
    // else changes the session for the statements after it.
    if (stmt.set !== null && stmt.set.hint !== null) {
      const step = stepSession(state, stmt);
      state = step.state;
      out.push(routeStatement({ p, db, input, state, setError: step.error }, stmt));
    } else {
      out.push(routeStatement({ p, db, input, state, setError: null }, stmt));
      state = stepSession(state, stmt).state;
    }
  }
  return out;
}

function unite(decisions: readonly StatementDecision[]): StatementDecision {
  const blocked = decisions.find((d) => d.blocked !== null);
  if (blocked !== undefined) return blocked;
  let active = decisions.filter((d) => !d.neutral);
  if (active.length === 0) active = decisions as StatementDecision[];
  if (active.length === 1) return active[0];
  let all = false;
  const shards = new Set<number>();
  let lead = active[0];
  for (const d of active) {
    if (d.shards === 'all') all = true;
    else for (const s of d.shards) shards.add(s);
    if (SOURCE_RANK[d.source] > SOURCE_RANK[lead.source]) lead = d;
  }
  const listed = active.slice(0, MAX_LISTED_REASONS).map((d, i) => `statement ${i + 1}: ${d.reason.slice(0, -1)}`);
  const more = active.length > MAX_LISTED_REASONS ? `; and ${active.length - MAX_LISTED_REASONS} more` : '';
  return {
    statement: active[0].statement,
    neutral: false,
    shards: all ? 'all' : [...shards].sort((a, b) => a - b),
    role: active.some((d) => d.role === 'primary') ? 'primary' : 'replica',
    source: lead.source,
    rule: active.find((d) => d.rule !== null)?.rule ?? null,
    key: active.find((d) => d.key !== null)?.key ?? null,
    blocked: null,
    reason: `${active.length} statements, run on the union of their shards: ${listed.join('; ')}${more}.`,
  };
}

/** "All shards until $n is bound" (sql-shards.ts): a parameter key without a value yet. */
function keyIsUnbound(key: RouteKey | null): boolean {
  return key !== null && key.hash === null && key.value.charCodeAt(0) === 36 /* $ */;
}

function spansShards(shards: number[] | 'all', shardCount: number): boolean {
  return shards === 'all' ? shardCount > 1 : shards.length > 1;
}

export function route(table: RoutingTable, input: RouteInput): Route {
  const p = prepareRoutingTable(table);
  const db = p.databases.get(input.database);
  if (db === undefined) return unknownDatabase(input, p);
  const analysis = input.analysis;
  const statements = analysis.ok ? analysis.statements : [];
  let d: StatementDecision;
  let tables: string[];
  let shape: StatementShape | null = null;
  if (analysis.ok && statements.length === 0) {
    d = { statement: 'other', neutral: true, shards: [0], role: 'primary', source: 'default', rule: null, key: null, blocked: null, reason: 'An empty query: one shard (shard 0) answers it.' };
    tables = [];
  } else if (statements.length === 1) {
    // unite() of one decision is that decision.
    shape = statementShape(db, statements[0]);
    d = decideOne(p, db, input, statements[0], shape);
    // Serving does not read the tables: the shape's own list, not a copy.
    tables = input.explain === false ? (shape.tableNames() as string[]) : copyOf(shape.tableNames());
  } else {
    d = unite(decide(p, db, input));
    tables = tablesOf(statements);
  }
  let cross = d.blocked === null && spansShards(d.shards, db.shardCount);
  if (cross && crossShardDisabled(p, input.user, input.database)) {
    const where = d.shards === 'all' ? `all ${db.shardCount} shards` : shardList(d.shards);
    const message = `cross-shard queries are disabled for user "${input.user}" on database "${input.database}"; this query would run on ${where}`;
    d = { ...d, shards: [], blocked: { message, sqlstate: RouteSqlState.FeatureNotSupported }, reason: `Blocked: ${message} (${d.reason.slice(0, -1)}).` };
    cross = false;
  }
  // A cross-shard SELECT is merged by the proxy; one the merger cannot combine is refused, not
  // answered wrongly. Not while the key awaits its Bind value: the bound route may be one shard.
  if (cross && shape !== null && statements[0].kind === 'select' && !keyIsUnbound(d.key)) {
    const refusal = shape.crossShardRefusal(input.query);
    if (refusal !== null) {
      d = { ...d, shards: [], blocked: { message: refusal.message, sqlstate: RouteSqlState.FeatureNotSupported }, reason: `Blocked: ${refusal.message} (${d.reason.slice(0, -1)}).` };
      cross = false;
    }
  }
  return {
    query: input.query,
    database: input.database,
    user: input.user,
    statement: d.statement,
    tables,
    shards: d.shards,
    role: d.role,
    source: d.source,
    rule: d.rule,
    key: d.key,
    cross_shard: cross,
    blocked: d.blocked,
    reason: d.reason,
  };
}
