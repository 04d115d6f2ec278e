// The route of one statement, in SPEC §3.2 order: block rules, plugin, comment hints, SET hints,
// query rules, the SQL's sharding key, defaults. Shards and role are decided separately: each is
// taken from the highest step that speaks about it (a comment may pick the role while the key
// picks the shard).

import type { RuleFacts } from '../rules/ast.js';
import { matchBlockRule, matchRouteRule } from '../rules/match.js';
import type { CommentHints, StatementAnalysis, StatementKind } from '../sql/types.js';
import { hintShard } from './hint-shards.js';
import type { KeyFact } from './key-shards.js';
import type { PreparedDatabase, PreparedTable } from './prepared-table.js';
import { defaultRole } from './role.js';
import type { RouteBlock, RouteInput, RouteKey, RouteRole, RouteSource, RoutingHints } from './route-types.js';
import { ruleFacts } from './rule-facts.js';
import { effectiveHints, type SessionState } from './session-state.js';
import { shardList, sqlShards, upperFirst } from './sql-shards.js';
import { statementShape, type StatementShape } from './statement-shape.js';
import { RouteSqlState } from './sqlstate.js';
import { assignedShardingColumn, shardingKeyUpdateMessage } from './write-refusals.js';

export interface StatementDecision {
  statement: StatementKind;
  /** Transaction control, SET, SHOW...: follows the other statements of the query. */
  neutral: boolean;
  shards: number[] | 'all';
  role: RouteRole;
  source: RouteSource;
  rule: string | null;
  key: RouteKey | null;
  blocked: RouteBlock | null;
  reason: string;
}

export interface StatementContext {
  p: PreparedTable;
  db: PreparedDatabase;
  input: RouteInput;
  state: SessionState;
  /** An invalid SET pgdog.* value in this statement. */
  setError: string | null;
  /** The statement's shape, when the caller has it. */
  shape?: StatementShape;
}

/** Precedence of sources; the SQL-derived ones share the lowest rank. */
export const SOURCE_RANK: Readonly<Record<RouteSource, number>> = { plugin: 5, comment: 4, set: 3, rule: 2, sharding_key: 1, omnisharded: 1, default: 1 };

export function isNeutral(stmt: StatementAnalysis | null): boolean {
  if (stmt === null) return false;
  return stmt.kind === 'transaction' || stmt.kind === 'set' || (stmt.kind === 'other' && stmt.tables.length === 0);
}

/** The route's key: a plain object when the route is explained; for serving, the fact itself,
 *  which formats its value and hash only if read. */
function toRouteKey(f: KeyFact | null, explain: boolean): RouteKey | null {
  if (f === null || !explain) return f;
  return { table: f.table, column: f.column, value: f.value, hash: f.hash };
}

function sentence(text: string): string {
  return `${upperFirst(text)}.`;
}

class Decision {
  shards: number[] | 'all' | null = null;
  shardSource: RouteSource | null = null;
  shardWhy = '';
  role: RouteRole | null = null;
  roleSource: RouteSource | null = null;
  roleWhy = '';
  rule: string | null = null;
  key: RouteKey | null = null;

  pickShards(shards: number[] | 'all', source: RouteSource, why: string): void {
    this.shards = shards;
    this.shardSource = source;
    this.shardWhy = why;
  }

  pickRole(role: RouteRole, source: RouteSource, why: string): void {
    this.role = role;
    this.roleSource = source;
    this.roleWhy = why;
  }
}

interface HintOrigin {
  source: 'comment' | 'set';
  shard: string;
  key: string;
  role: string;
}

const COMMENT: HintOrigin = { source: 'comment', shard: 'The comment pgdog_shard', key: 'The comment pgdog_sharding_key', role: 'the comment pgdog_role' };
const SET: HintOrigin = { source: 'set', shard: 'SET pgdog.shard', key: 'SET pgdog.sharding_key', role: 'SET pgdog.role' };

/** Takes what the hints decide and is still open; returns the error message of an unusable hint. */
function applyHints(d: Decision, db: PreparedDatabase, stmt: StatementAnalysis | null, hints: RoutingHints, origin: HintOrigin, neutral: boolean): string | null {
  if (d.shards === null && (hints.shard !== null || hints.shardingKey !== null)) {
    const h = hintShard(db, stmt, hints, origin);
    // A key no table accepts blocks a statement that needs it, not transaction control or SET.
    if (h !== null && (h.ok || !(neutral && stmt !== null && stmt.tables.length === 0))) {
      if (!h.ok) return h.message;
      d.pickShards([h.shard], origin.source, h.why);
      d.key = toRouteKey(h.key, true);
    }
  }
  if (d.role === null && hints.role !== null) d.pickRole(hints.role, origin.source, `${origin.role} = ${hints.role} asks for the ${hints.role}`);
  return null;
}

const noHints = (h: RoutingHints | CommentHints): boolean => h.shard === null && h.shardingKey === null && h.role === null;

/**
 * routeStatement() for the plain case, which is most traffic: no plugin answer, no hint in a
 * comment or from SET, not a SET itself, and no rule that applies. Nothing then outranks the
 * SQL's own key and the default role, so the decision is those two, with the shape's memory
 * doing the table and rule lookups. Null when the case is not plain: routeStatement() decides.
 */
export function routePlainStatement(ctx: StatementContext, stmt: StatementAnalysis, shape: StatementShape): StatementDecision | null {
  const { db, input, state } = ctx;
  if (input.plugin !== undefined || stmt.set !== null || !noHints(input.analysis.hints) || !noHints(effectiveHints(state))) return null;
  if (db.blockRules.length > 0 || db.routeRules.length > 0) {
    if (db.rulesReadText) return null;
    const r = shape.rules(stmt, input, state.applicationName, state.inTransaction);
    if (r.block !== null || r.route !== null) return null;
  }
  // Refusals are rare: routeStatement() words them.
  if (stmt.kind === 'update' && stmt.assigned.length > 0 && assignedShardingColumn(db, stmt) !== null) return null;
  const neutral = isNeutral(stmt);
  const s = sqlShards(db, stmt, shape, input, neutral);
  if (s.refusal !== undefined) return null;
  const c = defaultRole(ctx.p, db, stmt, state);
  const explain = input.explain !== false;
  return {
    statement: stmt.kind,
    neutral,
    shards: s.shards,
    role: c.role,
    // The default role ranks with the SQL-derived sources, so the shard source stands.
    source: s.source,
    rule: null,
    key: toRouteKey(s.key, explain),
    blocked: null,
    reason: explain ? `${s.why}; ${c.why}.` : '',
  };
}

export function routeStatement(ctx: StatementContext, stmt: StatementAnalysis | null): StatementDecision {
  const { db, input } = ctx;
  const kind: StatementKind = stmt?.kind ?? 'other';
  const neutral = isNeutral(stmt);
  let facts: RuleFacts | undefined;
  const getFacts = (): RuleFacts =>
    (facts ??= ruleFacts(stmt, {
      user: input.user,
      database: input.database,
      applicationName: ctx.state.applicationName,
      query: input.query,
      inTransaction: ctx.state.inTransaction,
    }));
  const blocked = (source: RouteSource, rule: string | null, message: string, sqlstate: string, why: string): StatementDecision => ({
    statement: kind,
    neutral: false,
    shards: [],
    role: 'primary',
    source,
    rule,
    key: null,
    blocked: { message, sqlstate },
    reason: sentence(why),
  });

  const shape = stmt === null ? null : (ctx.shape ?? statementShape(db, stmt));
  const remembered = shape !== null && stmt !== null && !db.rulesReadText && (db.blockRules.length > 0 || db.routeRules.length > 0)
    ? shape.rules(stmt, input, ctx.state.applicationName, ctx.state.inTransaction)
    : null;

  // 1. Block rules come first: no hint can get around them.
  if (db.blockRules.length > 0) {
    const m = remembered !== null ? remembered.block : matchBlockRule(db.blockRules, getFacts());
    if (m !== null && m.rule.route.kind === 'block') {
      return blocked('rule', m.rule.name, m.rule.route.message, RouteSqlState.InsufficientPrivilege, `blocked by rule "${m.rule.name}": ${m.rule.route.message}`);
    }
  }
  if (ctx.setError !== null) return blocked('set', null, ctx.setError, RouteSqlState.InvalidParameterValue, ctx.setError);
  // Whatever picks the shard (even a hint), the row could belong elsewhere after the UPDATE.
  const moved = stmt === null ? null : assignedShardingColumn(db, stmt);
  if (moved !== null) {
    const message = shardingKeyUpdateMessage(moved);
    return blocked('sharding_key', null, message, RouteSqlState.FeatureNotSupported, message);
  }

  const d = new Decision();
  // 2. Plugins (the runtime asks them and passes the answer in).
  const plugin = input.plugin;
  if (plugin !== undefined) {
    if (plugin.block !== undefined) {
      return blocked('plugin', null, plugin.block, RouteSqlState.InsufficientPrivilege, `blocked by plugin "${plugin.plugin}": ${plugin.block}`);
    }
    if (plugin.shard !== undefined) {
      if (plugin.shard !== 'all' && plugin.shard >= db.shardCount) {
        const msg = `plugin "${plugin.plugin}" chose shard ${plugin.shard}, which database "${db.name}" does not have`;
        return blocked('plugin', null, msg, RouteSqlState.InvalidParameterValue, msg);
      }
      const shards = plugin.shard === 'all' ? 'all' : [plugin.shard];
      d.pickShards(shards, 'plugin', `Plugin "${plugin.plugin}" chose ${shards === 'all' ? 'all shards' : shardList(shards)}`);
    }
    if (plugin.role !== undefined) d.pickRole(plugin.role, 'plugin', `plugin "${plugin.plugin}" chose the ${plugin.role}`);
  }

  // 3. Comment hints, then 4. SET pgdog.* hints.
  const fromComment = applyHints(d, db, stmt, input.analysis.hints, COMMENT, neutral);
  if (fromComment !== null) return blocked('comment', null, fromComment, RouteSqlState.InvalidParameterValue, fromComment);
  const fromSet = applyHints(d, db, stmt, effectiveHints(ctx.state), SET, neutral);
  if (fromSet !== null) return blocked('set', null, fromSet, RouteSqlState.InvalidParameterValue, fromSet);

  // 5. Query rules that route (first match in file order).
  if ((d.shards === null || d.role === null) && db.routeRules.length > 0) {
    const m = remembered !== null ? remembered.route : matchRouteRule(db.routeRules, getFacts());
    if (m !== null) {
      const r = m.rule.route;
      const name = m.rule.name;
      if ((r.kind === 'shard' || r.kind === 'all_shards') && d.shards === null) {
        if (r.kind === 'shard' && r.shard >= db.shardCount) {
          const msg = `rule "${name}" routes to shard ${r.shard}, which database "${db.name}" does not have`;
          return blocked('rule', name, msg, RouteSqlState.InvalidParameterValue, msg);
        }
        d.pickShards(r.kind === 'shard' ? [r.shard] : 'all', 'rule', `Rule "${name}" sends it to ${r.kind === 'shard' ? `shard ${r.shard}` : 'all shards'}`);
        d.rule = name;
      } else if ((r.kind === 'primary' || r.kind === 'replica') && d.role === null) {
        d.pickRole(r.kind, 'rule', `rule "${name}" sends it to the ${r.kind}`);
        d.rule = name;
      }
    }
  }

  // 6 and 7. The sharding key in the SQL, else the defaults.
  if (d.shards === null) {
    const s = sqlShards(db, stmt, shape, input, neutral);
    if (s.refusal !== undefined) return blocked(s.source, null, s.refusal, RouteSqlState.FeatureNotSupported, s.refusal);
    d.pickShards(s.shards, s.source, s.why);
    d.key = toRouteKey(s.key, true);
  } else if (db.shardCount === 1) {
    d.shards = [0];
  }
  if (d.role === null) {
    const c = defaultRole(ctx.p, db, stmt, ctx.state);
    d.pickRole(c.role, 'default', c.why);
  }

  const shardSource = d.shardSource as RouteSource;
  const roleSource = d.roleSource as RouteSource;
  return {
    statement: kind,
    neutral,
    shards: d.shards as number[] | 'all',
    role: d.role as RouteRole,
    source: SOURCE_RANK[roleSource] > SOURCE_RANK[shardSource] ? roleSource : shardSource,
    rule: d.rule,
    key: d.key,
    blocked: null,
    // Shard clauses start the sentence and are written capitalized.
    reason: input.explain !== false ? `${d.shardWhy}; ${d.roleWhy}.` : '',
  };
}
