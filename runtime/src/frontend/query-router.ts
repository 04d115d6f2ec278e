// Per client, in routed mode: each Query and Parse goes through the compiler's route() with the
// session's routing state (SET pgdog.* hints, transaction flags), the same function `pgdog route`
// calls, so the two cannot disagree. The answer is a decision for the forwarder: run it on a
// target, refuse it, or (aggressive strategy) hold a BEGIN until the transaction's first statement.

import {
  advanceSession, analyze, initialSessionState, route, toRouteSession,
  planCrossShardSelect, type CrossShardOutcome, type CrossShardPlan, type PlanCache, type QueryAnalysis, type Route, type RouteSession, type RoutingTable, type SessionState,
} from '@pgdog/compiler';
import { readBind } from '../protocol/frontend/bind.js';
import { insertOf, insertRows } from './insert-split.js';
import { PRIMARY_SHARD_0, targetOfRoute, type Target } from '../balance/target.js';

/** Built once per server from the routing table. */
export interface RoutingContext {
  readonly table: RoutingTable;
  readonly cache: PlanCache;
  readonly aggressive: boolean;
}

export type RouteDecision =
  /** `multi`: the route names several shards (null: one, the target's). */
  | { readonly kind: 'run'; readonly target: Target; readonly multi: MultiRoute | null }
  /** A Parse whose shard depends on its Bind values: its Bind picks the target. */
  | { readonly kind: 'at_bind' }
  | { readonly kind: 'blocked'; readonly sqlstate: string; readonly message: string }
  /** Aggressive strategy: answer this BEGIN locally; send it with the next statement. */
  | { readonly kind: 'hold_begin' }
  /** COMMIT / ROLLBACK of a held BEGIN with nothing sent: answered locally with this tag. */
  | { readonly kind: 'end_held'; readonly tag: string };

/** A statement for several shards: which, and for a SELECT the merge plan. */
export interface MultiRoute {
  readonly shards: readonly number[];
  /** One SELECT: how its rows are merged; null: row counts are summed. */
  readonly plan: CrossShardPlan | null;
  /** A multi-row INSERT split by shard: the statement each of `shards` runs; null: the client's. */
  readonly texts: readonly string[] | null;
  /** An omnisharded table: every shard holds the same rows, so one shard's answer is the answer. */
  readonly replicated: boolean;
}

/** Where the client's transaction stands, as the forwarder knows it. */
export interface TransactionView {
  readonly inTransaction: boolean;
  /** A BEGIN is held (aggressive strategy) and nothing was sent yet. */
  readonly beginHeld: boolean;
}

export class QueryRouter {
  private readonly ctx: RoutingContext;
  private readonly database: string;
  private readonly user: string;
  private state: SessionState;
  /** 0..n-1 for the database's n shards (a route to "all"). */
  private readonly allShards: readonly number[];
  /** Cross-shard SELECT plans by query text. */
  private readonly plans: Map<string, CrossShardOutcome>;
  /** Sharded tables of the database (none with one shard: nothing can move). */
  private readonly sharded: readonly { readonly name: string | null; readonly column: string }[];
  /**
   * Prepared statement name -> where its Parse was routed, or how to route its Binds when the key
   * is a parameter; '' is the unnamed statement.
   */
  private readonly statements: Map<string, Target | BindRouting>;

  constructor(ctx: RoutingContext, database: string, user: string, applicationName: string | undefined) {
    this.ctx = ctx;
    this.database = database;
    this.user = user;
    this.state = initialSessionState({ inTransaction: false, applicationName: applicationName ?? '' });
    this.statements = new Map();
    const db = ctx.table.databases.find((d) => d.name === database);
    this.allShards = Array.from({ length: db === undefined ? 1 : db.shards.length }, (_, i) => i);
    this.plans = new Map();
    this.sharded = db === undefined || db.shards.length < 2 ? [] : db.shardedTables;
  }

  /** A simple Query. */
  query(sql: string, tx: TransactionView): RouteDecision {
    const analysis = this.ctx.cache.analyzeCached(sql);
    if (tx.beginHeld) {
      const tag = endsHeldTransaction(analysis);
      if (tag !== null) {
        this.advance(analysis);
        return { kind: 'end_held', tag };
      }
    } else if (this.ctx.aggressive && !tx.inTransaction && opensReadWriteTransaction(analysis)) {
      this.advance(analysis);
      return { kind: 'hold_begin' };
    }
    return this.decide(sql, analysis, tx);
  }

  /** A Parse: routed from its text; a later Bind of the same name goes the same way. */
  parse(name: string, sql: string, tx: TransactionView): RouteDecision {
    const analysis = this.ctx.cache.analyzeCached(sql);
    const session = this.sessionFor(tx);
    const r = route(this.ctx.table, { database: this.database, user: this.user, query: sql, analysis, session });
    this.advance(analysis);
    if (r.blocked === null && keyIsUnbound(r)) {
      this.statements.set(name, new BindRouting(sql, analysis, session));
      return AT_BIND;
    }
    const d = this.decision(r, sql, analysis, session);
    if (d.kind !== 'run') {
      this.statements.delete(name);
      return d;
    }
    this.statements.set(name, d.target);
    return d;
  }

  /**
   * A Bind (frame at buf[start..end)): the route remembered for its statement, or, when the key is
   * one of its parameters, the route of its values (text or binary). Null when the statement is
   * unknown here.
   */
  bind(buf: Buffer, start: number, end: number): Target | null {
    const b = readBind(buf, start, end);
    const s = this.statements.get(b.statement);
    if (s === undefined) return null;
    if (!(s instanceof BindRouting)) return s;
    const r = route(this.ctx.table, {
      database: this.database, user: this.user, query: s.sql, analysis: s.analysis, session: s.session,
      params: { values: b.parameters, formats: b.parameterFormats },
    });
    return r.blocked !== null ? PRIMARY_SHARD_0 : targetOfRoute(r.shards, r.role);
  }

  /** The session route() sees: the forwarder knows better than the folded statements whether a
   *  transaction is open (it saw the server's ReadyForQuery). */
  private sessionFor(tx: TransactionView): RouteSession {
    const inTransaction = tx.inTransaction || tx.beginHeld;
    const s = this.state;
    if (s.inTransaction !== inTransaction) {
      this.state = inTransaction ? { ...s, inTransaction } : { ...s, inTransaction: false, transactionReadOnly: false, localHints: initialSessionState().localHints };
    }
    return toRouteSession(this.state);
  }

  private decide(sql: string, analysis: QueryAnalysis, tx: TransactionView): RouteDecision {
    const session = this.sessionFor(tx);
    const r = route(this.ctx.table, { database: this.database, user: this.user, query: sql, analysis, session });
    this.advance(analysis);
    return this.decision(r, sql, analysis, session);
  }

  /** COMMIT / ROLLBACK alone: the tag PostgreSQL answers with, else null. */
  transactionEnd(sql: string): string | null {
    return endsHeldTransaction(this.ctx.cache.analyzeCached(sql));
  }

  private decision(r: Route, sql: string, analysis: QueryAnalysis, session: RouteSession): RouteDecision {
    if (r.blocked !== null) return { kind: 'blocked', sqlstate: r.blocked.sqlstate, message: r.blocked.message };
    const moved = this.assignedShardingColumn(r, analysis);
    if (moved !== null) return { kind: 'blocked', sqlstate: '0A000', message: `pgdog: UPDATE of the sharding column ${moved} could move rows to another shard, which is not supported; delete the row and insert it again` };
    const t = targetOfRoute(r.shards, r.role);
    const shards = r.shards === 'all' ? this.allShards : r.shards;
    if (shards.length <= 1) return { kind: 'run', target: t, multi: null };
    if (analysis.ok && analysis.statements.some((st) => st.kind === 'copy')) {
      return { kind: 'blocked', sqlstate: '0A000', message: 'pgdog: COPY over several shards is not supported yet' };
    }
    if (writesRowsOnSeveralShards(r, analysis)) {
      // Sent whole to each shard, every row would be stored once per shard: each gets its rows.
      const split = this.splitInsert(sql, analysis, session);
      if (split === null) return { kind: 'blocked', sqlstate: '0A000', message: 'pgdog: this INSERT writes to several shards and cannot be split by row (each VALUES row needs its sharding key); send one INSERT per shard' };
      return { kind: 'run', target: t, multi: split };
    }
    if (!(analysis.ok && analysis.statements.length === 1 && analysis.statements[0].kind === 'select')) {
      return { kind: 'run', target: t, multi: { shards, plan: null, texts: null, replicated: r.source === 'omnisharded' } };
    }
    const outcome = this.planOf(sql);
    if (!outcome.ok) return { kind: 'blocked', sqlstate: '0A000', message: outcome.refusal.message };
    return { kind: 'run', target: t, multi: { shards, plan: outcome.plan, texts: null, replicated: false } };
  }

  /** One INSERT per shard with that shard's VALUES rows; null when a row has no single shard. */
  private splitInsert(sql: string, analysis: QueryAnalysis, session: RouteSession): MultiRoute | null {
    if (!analysis.ok || analysis.statements.length !== 1) return null;
    const info = analysis.statements[0].insert;
    if (info === null || info.select || info.rows < 2) return null;
    const rows = insertRows(sql);
    if (rows === null || rows.rows.length !== info.rows) return null;
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < rows.rows.length; i++) {
      const one = rows.prefix + rows.rows[i] + rows.suffix;
      const r = route(this.ctx.table, { database: this.database, user: this.user, query: one, analysis: analyze(one), session });
      if (r.blocked !== null || r.shards === 'all' || r.shards.length !== 1) return null;
      const list = byShard.get(r.shards[0]);
      if (list === undefined) byShard.set(r.shards[0], [i]);
      else list.push(i);
    }
    const shards = [...byShard.keys()].sort((a, b) => a - b);
    return { shards, plan: null, texts: shards.map((s) => insertOf(rows, byShard.get(s)!)), replicated: false };
  }

  /** An UPDATE that sets a sharded table's sharding column: `table.column`, else null. */
  private assignedShardingColumn(r: Route, analysis: QueryAnalysis): string | null {
    if (!analysis.ok || this.sharded.length === 0) return null;
    for (const st of analysis.statements) {
      if (st.kind !== 'update' || st.assigned.length === 0) continue;
      for (const t of this.sharded) {
        if (!st.assigned.includes(t.column)) continue;
        const table = t.name === null ? r.tables[0] : r.tables.find((n) => n === t.name || n.endsWith(`.${t.name}`));
        if (table !== undefined) return `${table}.${t.column}`;
      }
    }
    return null;
  }

  private planOf(sql: string): CrossShardOutcome {
    let p = this.plans.get(sql);
    if (p === undefined) {
      if (this.plans.size >= 256) this.plans.clear();
      p = planCrossShardSelect(sql);
      this.plans.set(sql, p);
    }
    return p;
  }

  private advance(analysis: QueryAnalysis): void {
    if (analysis.ok) this.state = advanceSession(this.state, analysis.statements);
  }
}

const AT_BIND: RouteDecision = { kind: 'at_bind' };

/** A statement whose key is a parameter: routed again at each Bind, with the Parse's session. */
class BindRouting {
  constructor(readonly sql: string, readonly analysis: QueryAnalysis, readonly session: RouteSession) {}
}

/** An INSERT (not into an omnisharded table) that the route sends to more than one shard. */
function writesRowsOnSeveralShards(r: Route, analysis: QueryAnalysis): boolean {
  if (r.source === 'omnisharded' || !analysis.ok) return false;
  for (const st of analysis.statements) if (st.kind === 'insert') return true;
  return false;
}

/** The route names a key whose value is a `$n` not bound yet (route() said "all shards until bound"). */
function keyIsUnbound(r: Route): boolean {
  const k = r.key;
  return k !== null && k.hash === null && k.value.charCodeAt(0) === 36 /* $ */;
}

/** A lone BEGIN / START TRANSACTION that is not READ ONLY (a read-only one can go to a replica now). */
export function opensReadWriteTransaction(analysis: QueryAnalysis): boolean {
  if (!analysis.ok || analysis.statements.length !== 1) return false;
  const t = analysis.statements[0].transaction;
  return t !== null && t.action === 'begin' && t.modes.readOnly !== true;
}

/** The command tag PostgreSQL answers a lone COMMIT / ROLLBACK with, else null. */
export function endsHeldTransaction(analysis: QueryAnalysis): string | null {
  if (!analysis.ok || analysis.statements.length !== 1) return null;
  const t = analysis.statements[0].transaction;
  if (t === null || t.chain) return null;
  if (t.action === 'commit') return 'COMMIT';
  if (t.action === 'rollback') return 'ROLLBACK';
  return null;
}
