// Per client, in routed mode: each Query and Parse goes through the compiler's route() with the
// session's routing state (SET pgdog.* hints, transaction flags), the same function `pgdog route`
// calls, so the two cannot disagree. The answer is a decision for the forwarder: run it on a
// target, refuse it, or (aggressive strategy) hold a BEGIN until the transaction's first statement.

import {
  advanceSession, analyze, initialSessionState, route, toRouteSession,
  planCrossShardSelect, type CrossShardOutcome, type CrossShardPlan, type DatabaseRoutes, type PlanCache, type QueryAnalysis, type RouteParams, type TableName, type Route, type RouteSession, type RoutingTable, type SessionState,
} from '@pgdog/compiler';
import { readBind, type BindMessage } from '../protocol/frontend/bind.js';
import { pinReason } from '../params/index.js';
import type { ExecuteRoute } from './extended-batch.js';
import { insertOf, insertRows, renumberParams } from './insert-split.js';
import { PRIMARY_SHARD_0, targetOfRoute, type Target } from '../balance/target.js';
import { copyOf, type CopyRoute } from './copy-route.js';
import { tableColumnCache } from './table-columns.js';
import { BoundRoutes, LiteralRoutes } from './bound-routes.js';

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
  | { readonly kind: 'end_held'; readonly tag: string }
  /** An INSERT without a column list: the table's live column order is needed (provideColumns). */
  | { readonly kind: 'load_columns'; readonly table: TableName };

/** A statement for several shards: which, and for a SELECT the merge plan. */
export interface MultiRoute {
  readonly shards: readonly number[];
  /** One SELECT: how its rows are merged; null: row counts are summed. */
  readonly plan: CrossShardPlan | null;
  /** A multi-row INSERT split by shard: the statement each of `shards` runs; null: the client's. */
  readonly texts: readonly string[] | null;
  /** An omnisharded table: every shard holds the same rows, so one shard's answer is the answer. */
  readonly replicated: boolean;
  /** A COPY (simple protocol only): pgdog drives it on the shards (sharded-copy.ts). */
  readonly copy?: CopyRoute;
  /** A split INSERT with Bind parameters: per shard, the client's parameter numbers its text uses, in order. */
  readonly paramOrders?: readonly (readonly number[])[];
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
  /** route()'s view of `state`, made again only when the state changes. */
  private session: RouteSession;
  private sessionOf: SessionState;
  /** 0..n-1 for the database's n shards (a route to "all"). */
  private readonly allShards: readonly number[];
  /** Cross-shard SELECT plans by query text. */
  private readonly plans: Map<string, CrossShardOutcome>;
  /** The database's routes (sharded / omnisharded tables), for a COPY over several shards. */
  private readonly db: DatabaseRoutes | undefined;
  /**
   * Prepared statement name -> where its Parse was routed, or how to route its Binds when the key
   * is a parameter; '' is the unnamed statement.
   */
  private readonly statements: Map<string, Target | BindRouting>;

  /**
   * Column order just looked up for INSERTs without a column list, used while the statements that
   * asked for it are routed again, then dropped: a schema change must never route by a stale order.
   */
  private provided: ReadonlyMap<string, readonly string[]> | undefined = undefined;
  private readonly lookedUp = new Set<string>();
  /** Answers kept per key shard (see bound-routes.ts): extended protocol, simple protocol. */
  private readonly bound: BoundRoutes;
  private readonly literal: LiteralRoutes;

  constructor(ctx: RoutingContext, database: string, user: string, applicationName: string | undefined) {
    this.ctx = ctx;
    this.database = database;
    this.user = user;
    this.state = initialSessionState({ inTransaction: false, applicationName: applicationName ?? '' });
    this.sessionOf = this.state;
    this.session = toRouteSession(this.state);
    this.statements = new Map();
    const db = ctx.table.databases.find((d) => d.name === database);
    this.db = db;
    this.allShards = Array.from({ length: db === undefined ? 1 : db.shards.length }, (_, i) => i);
    this.plans = new Map();
    this.bound = new BoundRoutes(ctx.table, database, ctx.cache);
    this.literal = new LiteralRoutes(ctx.table, database);
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
    const r = route(this.ctx.table, { database: this.database, user: this.user, query: sql, analysis, session, tableColumns: this.provided, explain: false });
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
      params: { values: b.parameters, formats: b.parameterFormats }, explain: false,
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
    // route() does not keep or change its input: one object serves while the state stands.
    if (this.sessionOf !== this.state) {
      this.sessionOf = this.state;
      this.session = toRouteSession(this.state);
    }
    return this.session;
  }

  /** `analysis`: the plan cache's latest answer (answeredShape() is about it). */
  private decide(sql: string, analysis: QueryAnalysis, tx: TransactionView): RouteDecision {
    const session = this.sessionFor(tx);
    const shape = this.ctx.cache.answeredShape();
    // A kept decision is for a statement that moves no session state: advance() has nothing to do.
    const kept = shape === null ? null : this.literal.find(shape, analysis, session, this.provided);
    if (kept !== null) return kept;
    const r = route(this.ctx.table, { database: this.database, user: this.user, query: sql, analysis, session, tableColumns: this.provided, explain: false });
    this.advance(analysis);
    const d = this.decision(r, sql, analysis, session);
    return shape === null ? d : this.literal.keep(d);
  }

  /** COMMIT / ROLLBACK alone: the tag PostgreSQL answers with, else null. */
  transactionEnd(sql: string): string | null {
    return endsHeldTransaction(this.ctx.cache.analyzeCached(sql));
  }

  private decision(r: Route, sql: string, analysis: QueryAnalysis, session: RouteSession, params?: RouteParams): RouteDecision {
    const missing = r.blocked !== null ? this.columnsToLoad(analysis) : null;
    if (missing !== null) return { kind: 'load_columns', table: missing };
    // route() refuses what cannot run correctly over shards (sharding-key UPDATE, INSERT without a
    // usable key, unmergeable SELECT), so `pgdog route` shows the same refusal.
    if (r.blocked !== null) return { kind: 'blocked', sqlstate: r.blocked.sqlstate, message: r.blocked.message };
    const t = targetOfRoute(r.shards, r.role);
    const shards = r.shards === 'all' ? this.allShards : r.shards;
    if (shards.length <= 1) return runOn(t);
    const copy = copyOf(analysis);
    if (copy !== null) {
      if (typeof copy === 'string' || this.db === undefined) return { kind: 'blocked', sqlstate: '0A000', message: typeof copy === 'string' ? copy : 'pgdog: unknown database' };
      const route: CopyRoute = { info: copy, db: this.db, columns: tableColumnCache(this.ctx, this.database) };
      return { kind: 'run', target: t, multi: { shards, plan: null, texts: null, replicated: r.source === 'omnisharded', copy: route } };
    }
    if (writesRowsOnSeveralShards(r, analysis)) {
      // Sent whole to each shard, every row would be stored once per shard: each gets its rows.
      const split = this.splitInsert(sql, analysis, session, params);
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
  private splitInsert(sql: string, analysis: QueryAnalysis, session: RouteSession, params?: RouteParams): MultiRoute | null {
    if (!analysis.ok || analysis.statements.length !== 1) return null;
    const info = analysis.statements[0].insert;
    if (info === null || info.select || info.rows < 2) return null;
    const rows = insertRows(sql);
    if (rows === null || rows.rows.length !== info.rows) return null;
    const byShard = new Map<number, number[]>();
    for (let i = 0; i < rows.rows.length; i++) {
      const one = rows.prefix + rows.rows[i] + rows.suffix;
      const r = route(this.ctx.table, { database: this.database, user: this.user, query: one, analysis: analyze(one), session, params, tableColumns: this.provided, explain: false });
      if (r.blocked !== null || r.shards === 'all' || r.shards.length !== 1) return null;
      const list = byShard.get(r.shards[0]);
      if (list === undefined) byShard.set(r.shards[0], [i]);
      else list.push(i);
    }
    const shards = [...byShard.keys()].sort((a, b) => a - b);
    const texts = shards.map((s) => insertOf(rows, byShard.get(s)!));
    if (params === undefined) return { shards, plan: null, texts, replicated: false };
    // Each shard's statement keeps only its rows' parameters, numbered again from $1.
    const renumbered = texts.map(renumberParams);
    return { shards, plan: null, texts: renumbered.map((r) => r.text), paramOrders: renumbered.map((r) => r.order), replicated: false };
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

  /** More than one shard: extended-protocol batches go through extended-batch.ts. */
  get multiShard(): boolean {
    return this.allShards.length > 1;
  }

  /** The table whose column order would place this INSERT (it has no column list); null if none or tried. */
  private columnsToLoad(analysis: QueryAnalysis): TableName | null {
    if (!analysis.ok || analysis.statements.length !== 1 || this.allShards.length < 2) return null;
    const info = analysis.statements[0].insert;
    if (info === null || info.columns !== null || info.select || info.rows === 0) return null;
    const key = info.table.schema === null ? info.table.name : `${info.table.schema}.${info.table.name}`;
    if (this.provided?.has(key) === true || this.lookedUp.has(key)) return null;
    return info.table;
  }

  /** The live column order of `table` (null: no such table), for the statements routed next. */
  provideColumns(table: TableName, columns: readonly string[] | null): void {
    const key = table.schema === null ? table.name : `${table.schema}.${table.name}`;
    this.lookedUp.add(key);
    const next = new Map(this.provided ?? []);
    if (columns !== null) next.set(key, columns);
    this.provided = next;
  }

  /** The statements that asked for columns were routed again: the order is forgotten. */
  forgetColumns(): void {
    this.provided = undefined;
    this.lookedUp.clear();
  }

  /** A lone BEGIN / START TRANSACTION (with or without options). */
  beginsTransaction(sql: string): boolean {
    const a = this.ctx.cache.analyzeCached(sql);
    return a.ok && a.statements.length === 1 && a.statements[0].transaction?.action === 'begin';
  }

  /** The routing session as it stands (an immutable value): a look-ahead that gives up puts it back. */
  get routingSession(): SessionState {
    return this.state;
  }

  set routingSession(state: SessionState) {
    this.state = state;
  }

  /** A Parse in a sharded batch: the session state follows it (hints, BEGIN READ ONLY...). */
  noteParse(sql: string): boolean {
    const analysis = this.ctx.cache.analyzeCached(sql);
    this.advance(analysis);
    return movesSession(analysis);
  }

  /** Where an Execute of `sql` with these Bind values runs (a sharded batch; see extended-batch.ts). */
  /**
   * `sessionShard`: where a statement that changes the session (SET, advisory lock, LISTEN...) may
   * run, on the single-server path, which tracks it; null: such statements are refused.
   */
  routeBound(sql: string, bind: BindMessage, tx: TransactionView, sessionShard: number | null = null): ExecuteRoute {
    const session = this.sessionFor(tx);
    const kept = this.bound.find(sql, bind, session, this.provided, tx.inTransaction, sessionShard);
    return kept ?? this.bound.keep(this.routeBoundFully(sql, bind, tx, sessionShard, session));
  }

  private routeBoundFully(sql: string, bind: BindMessage, tx: TransactionView, sessionShard: number | null, session: RouteSession): ExecuteRoute {
    const analysis = this.ctx.cache.analyzeCached(sql);
    const params = bind.parameters.length > 0 ? { values: bind.parameters, formats: bind.parameterFormats } : undefined;
    const r = route(this.ctx.table, { database: this.database, user: this.user, query: sql, analysis, session, params, tableColumns: this.provided, explain: false });
    if (changesSession(analysis)) {
      if (sessionShard !== null) return { ok: true, shards: [sessionShard], primary: true, plan: null, texts: null, replicated: false, endsTransaction: false, sessionChange: true };
      return { ok: false, sqlstate: '0A000', message: 'pgdog: statements that change the session (SET, advisory locks, LISTEN, temporary tables) go through the simple query protocol on a sharded database' };
    }
    const endsTransaction = tx.inTransaction && endsHeldTransaction(analysis) !== null;
    const d = this.decision(r, sql, analysis, session, params);
    if (d.kind === 'blocked') return { ok: false, sqlstate: d.sqlstate, message: d.message };
    if (d.kind === 'run' && d.multi?.copy !== undefined) return { ok: false, sqlstate: '0A000', message: 'pgdog: COPY over several shards runs through the simple query protocol only' };
    if (d.kind === 'load_columns') return { ok: false, sqlstate: '0A000', message: 'pgdog: the column order of this table is being looked up', columnsOf: d.table };
    if (d.kind !== 'run') return { ok: true, shards: [0], primary: true, plan: null, texts: null, replicated: false, endsTransaction };
    const m = d.multi;
    if (m === null) return runsOn(d.target, endsTransaction);
    const shards = m === null ? [d.target.shard] : m.replicated && m.plan === null && isRead(analysis) ? [m.shards[0]!] : m.shards;
    return { ok: true, shards, primary: d.target.role === 'primary', plan: m?.plan ?? null, texts: m?.texts ?? null, paramOrders: m?.paramOrders ?? null, replicated: m?.replicated ?? false, endsTransaction };
  }

  private advance(analysis: QueryAnalysis): void {
    if (analysis.ok) this.state = advanceSession(this.state, analysis.statements);
  }
}

const AT_BIND: RouteDecision = { kind: 'at_bind' };

// The answers for one shard, made once per target: most statements get one of these.
const runs = new Map<Target, RouteDecision>();
const executes = new Map<Target, ExecuteRoute>();
const executesEnding = new Map<Target, ExecuteRoute>();

function runOn(t: Target): RouteDecision {
  let d = runs.get(t);
  if (d === undefined) runs.set(t, (d = Object.freeze({ kind: 'run', target: t, multi: null })));
  return d;
}

function runsOn(t: Target, endsTransaction: boolean): ExecuteRoute {
  const map = endsTransaction ? executesEnding : executes;
  let e = map.get(t);
  if (e === undefined) {
    e = Object.freeze({ ok: true, shards: Object.freeze([t.shard]), primary: t.role === 'primary', plan: null, texts: null, paramOrders: null, replicated: false, endsTransaction });
    map.set(t, e);
  }
  return e;
}

/** Whether advance() may change the session for this text (a transaction statement or a SET). */
function movesSession(analysis: QueryAnalysis): boolean {
  if (!analysis.ok) return false;
  for (const st of analysis.statements) if (st.transaction !== null || st.set !== null) return true;
  return false;
}

/** A SET, or a statement that pins its session (advisory lock, LISTEN...). */
function changesSession(analysis: QueryAnalysis): boolean {
  if (!analysis.ok) return false;
  const statements = analysis.statements;
  for (let i = 0; i < statements.length; i++) {
    const st = statements[i];
    if (st.set !== null || pinReason(st, null) !== null) return true;
  }
  return false;
}

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

/** Nothing but SELECTs (an omnisharded read needs one shard only). */
function isRead(analysis: QueryAnalysis): boolean {
  return analysis.ok && analysis.statements.every((st) => st.kind === 'select');
}
