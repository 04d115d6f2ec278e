// Per client, in routed mode: each Query and Parse goes through the compiler's route() with the
// session's routing state (SET pgdog.* hints, transaction flags), the same function `pgdog route`
// calls, so the two cannot disagree. The answer is a decision for the forwarder: run it on a
// target, refuse it, or (aggressive strategy) hold a BEGIN until the transaction's first statement.

import {
  advanceSession, initialSessionState, route, toRouteSession,
  type PlanCache, type QueryAnalysis, type RoutingTable, type SessionState,
} from '@pgdog/compiler';
import { targetOfRoute, type Target } from '../balance/target.js';

/** Built once per server from the routing table. */
export interface RoutingContext {
  readonly table: RoutingTable;
  readonly cache: PlanCache;
  readonly aggressive: boolean;
}

export type RouteDecision =
  | { readonly kind: 'run'; readonly target: Target }
  | { readonly kind: 'blocked'; readonly sqlstate: string; readonly message: string }
  /** Aggressive strategy: answer this BEGIN locally; send it with the next statement. */
  | { readonly kind: 'hold_begin' }
  /** COMMIT / ROLLBACK of a held BEGIN with nothing sent: answered locally with this tag. */
  | { readonly kind: 'end_held'; readonly tag: string };

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
  /** Prepared statement name -> where its Parse was routed; '' is the unnamed statement. */
  private readonly statements: Map<string, Target>;

  constructor(ctx: RoutingContext, database: string, user: string, applicationName: string | undefined) {
    this.ctx = ctx;
    this.database = database;
    this.user = user;
    this.state = initialSessionState({ inTransaction: false, applicationName: applicationName ?? '' });
    this.statements = new Map();
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
    const d = this.decide(sql, this.ctx.cache.analyzeCached(sql), tx);
    if (d.kind === 'run') this.statements.set(name, d.target);
    else this.statements.delete(name);
    return d;
  }

  /** A Bind: the route remembered for its statement, null when the statement is unknown here. */
  bind(name: string): Target | null {
    return this.statements.get(name) ?? null;
  }

  private decide(sql: string, analysis: QueryAnalysis, tx: TransactionView): RouteDecision {
    const inTransaction = tx.inTransaction || tx.beginHeld;
    const s = this.state;
    // The forwarder knows from the server's ReadyForQuery whether a transaction is open; the
    // statements folded so far only know what was sent.
    if (s.inTransaction !== inTransaction) {
      this.state = inTransaction ? { ...s, inTransaction } : { ...s, inTransaction: false, transactionReadOnly: false, localHints: initialSessionState().localHints };
    }
    const r = route(this.ctx.table, { database: this.database, user: this.user, query: sql, analysis, session: toRouteSession(this.state) });
    this.advance(analysis);
    if (r.blocked !== null) return { kind: 'blocked', sqlstate: r.blocked.sqlstate, message: r.blocked.message };
    return { kind: 'run', target: targetOfRoute(r.shards, r.role) };
  }

  private advance(analysis: QueryAnalysis): void {
    if (analysis.ok) this.state = advanceSession(this.state, analysis.statements);
  }
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
