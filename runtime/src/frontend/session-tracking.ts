// Per client in transaction and statement mode: what must follow the client from server to server
// (its named statements, its session parameters) and what ties it to one server (pinning). The
// forwarder calls these at the frames that matter; each is a byte look unless the text may
// change the session (mayAffectSession), so plain traffic is never parsed.

import { parseSql, type PlanCache, type StatementAnalysis } from '@pgdog/compiler';
import { readQuery } from '../protocol/frontend/query.js';
import { SessionParams, ServerParams, changeOf, needsParseTree, pinReason, type PinReason } from '../params/index.js';
import { mayAffectSession } from '../params/session-effect-scan.js';
import { PreparedStatements, decideDeallocate, statementKeyFromBytes, type ServerStatementsRegistry, type SimpleQueryDecision, type StatementCache } from '../prepared/index.js';

/** Process-wide: shared by every tracked session. */
export interface TrackingContext {
  /** null: prepared_statements = "disabled" (named statements pass through). */
  readonly statements: StatementCache | null;
  readonly registry: ServerStatementsRegistry;
  /** What pgdog set on each server connection; dies with the connection. */
  readonly serverParams: WeakMap<object, ServerParams>;
  readonly plans: PlanCache;
}

export function serverParamsOf(ctx: TrackingContext, server: object): ServerParams {
  let p = ctx.serverParams.get(server);
  if (p === undefined) {
    p = new ServerParams();
    ctx.serverParams.set(server, p);
  }
  return p;
}

const FORWARD: SimpleQueryDecision = Object.freeze({ kind: 'forward' });

/** Server-side state a forwarded DISCARD ALL / DEALLOCATE ALL wipes once it succeeds. */
const enum Wipe {
  None = 0,
  Statements = 1,
  All = 2,
}

export class SessionTracking {
  readonly ctx: TrackingContext;
  /** null when prepared statements pass through. */
  readonly ps: PreparedStatements | null;
  readonly params: SessionParams;
  /** Why the client keeps its server until it disconnects; null while it does not. */
  pinned: PinReason | null;
  /** The effect of the last unnamed Parse, when it has one. */
  private unnamed: StatementAnalysis | null;
  /** Client statement key -> effect, for named statements that have one. */
  private readonly named: Map<string, StatementAnalysis>;
  /** The effect of the statement the last Bind bound (applied at Execute). */
  private bound: StatementAnalysis | null;
  private wipe: Wipe;
  /** ReadyForQuery to let pass before the one of the request holding the wipe. */
  private wipeAfter: number;

  constructor(ctx: TrackingContext, startup: Readonly<Record<string, string>>) {
    this.ctx = ctx;
    this.ps = ctx.statements === null ? null : new PreparedStatements(ctx.statements);
    this.params = new SessionParams(startup);
    this.pinned = null;
    this.unnamed = null;
    this.named = new Map();
    this.bound = null;
    this.wipe = Wipe.None;
    this.wipeAfter = 0;
  }

  /**
   * A simple Query. `forward`: send it on (effects noted); `answer` / `replace`: the forwarder
   * answers it or sends the replacement instead (DEALLOCATE / DISCARD ALL of pgdog's names).
   */
  query(buf: Buffer, start: number, end: number, outstanding: number, status: number): SimpleQueryDecision {
    const params = this.params;
    const tracking = params.tracking;
    if (!mayAffectSession(buf, start + 5, end - 1, tracking)) {
      // While changes await their ReadyForQuery every request is counted, to keep them in step.
      if (tracking) params.query(NO_STATEMENTS, outstanding, status);
      return FORWARD;
    }
    const sql = readQuery(buf, start, end);
    const a = this.ctx.plans.analyzeCached(sql);
    // Text PostgreSQL will refuse changes nothing; its error is the answer.
    if (!a.ok) {
      if (tracking) params.query(NO_STATEMENTS, outstanding, status);
      return FORWARD;
    }
    const statements = a.statements;
    let nodes: unknown[] | null = null;
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i];
      if (needsParseTree(s) && nodes === null) nodes = parseTree(sql);
      const node = nodes === null ? null : nodes[i] ?? null;
      this.notePin(pinReason(s, node as never));
      if (node !== null) this.noteWipe(s.node, node, outstanding, status);
    }
    if (this.ps !== null && statements.length === 1 && nodes !== null && (statements[0].node === 'DeallocateStmt' || statements[0].node === 'DiscardStmt')) {
      const d = decideDeallocate(statements[0], nodes[0] as never, this.ps.client, status, this.pinned !== null);
      if (d.kind === 'answer') {
        // Nothing reaches a server: no wipe either.
        this.wipe = Wipe.None;
        if (d.discardAll) params.resetAll();
        return d;
      }
      if (d.kind === 'replace') this.wipe = Wipe.None;
      params.query(statements, outstanding, status);
      return d;
    }
    params.query(statements, outstanding, status);
    return FORWARD;
  }

  /** Every Parse, named or not, before it is rewritten or forwarded. */
  parse(buf: Buffer, start: number, end: number): void {
    const nameEnd = buf.indexOf(0, start + 5);
    if (nameEnd < 0 || nameEnd >= end) return;
    const named = nameEnd > start + 5;
    const queryEnd = buf.indexOf(0, nameEnd + 1);
    if (queryEnd < 0 || queryEnd >= end) return;
    // A named statement may be executed later inside a transaction with tracked changes, so its
    // transaction control is kept too.
    if (!mayAffectSession(buf, nameEnd + 1, queryEnd, named || this.params.tracking)) {
      if (!named) this.unnamed = null;
      else if (this.named.size > 0) this.named.delete(statementKeyFromBytes(buf, start + 5, nameEnd));
      return;
    }
    const sql = buf.toString('utf8', nameEnd + 1, queryEnd);
    const a = this.ctx.plans.analyzeCached(sql);
    const s = a.ok && a.statements.length === 1 ? a.statements[0] : null;
    if (s !== null) this.notePin(pinReason(s, needsParseTree(s) ? (parseTree(sql)[0] as never) : null));
    const effect = s !== null && changeOf(s) !== null ? s : null;
    if (!named) this.unnamed = effect;
    else if (effect !== null) this.named.set(statementKeyFromBytes(buf, start + 5, nameEnd), effect);
    else if (this.named.size > 0) this.named.delete(statementKeyFromBytes(buf, start + 5, nameEnd));
  }

  bind(buf: Buffer, start: number, end: number): void {
    if (this.unnamed === null && this.named.size === 0) {
      this.bound = null;
      return;
    }
    const portalEnd = buf.indexOf(0, start + 5);
    if (portalEnd < 0 || portalEnd + 1 >= end) return;
    if (buf[portalEnd + 1] === 0) {
      this.bound = this.unnamed;
      return;
    }
    const nameEnd = buf.indexOf(0, portalEnd + 1);
    this.bound = nameEnd < 0 ? null : this.named.get(statementKeyFromBytes(buf, portalEnd + 1, nameEnd)) ?? null;
  }

  execute(outstanding: number, status: number): void {
    if (this.bound !== null) this.params.statement(this.bound, outstanding, status);
  }

  /** Sync sent (`outstanding`: ReadyForQuery awaited before its own). */
  sync(outstanding: number, status: number): void {
    this.params.endRequest(outstanding, status);
  }

  /** Query sent. */
  endQuery(): void {
    this.params.endRequest();
  }

  /** Server parameters and statements pgdog has recorded for `server`. */
  serverParams(server: object): ServerParams {
    return serverParamsOf(this.ctx, server);
  }

  /** A ReadyForQuery from the client's server (before the tracker counts it). */
  ready(server: object, status: number, error: boolean): void {
    if (this.params.tracking) this.params.ready(status, error, this.serverParams(server));
    if (this.wipe === Wipe.None) return;
    if (this.wipeAfter > 0) {
      this.wipeAfter--;
      return;
    }
    const wipe = this.wipe;
    this.wipe = Wipe.None;
    if (error) return;
    this.ctx.registry.for(server).clear();
    if (wipe === Wipe.All) {
      this.serverParams(server).clear();
      this.params.resetAll();
    }
  }

  /** The server is gone, rolled back or the requests were answered locally. */
  abandon(): void {
    this.ps?.plan.abandon();
    this.params.abandon();
    this.wipe = Wipe.None;
  }

  /** The connection is being reset (DISCARD ALL) by the pool: it keeps nothing of pgdog's. */
  forgetServer(server: object): void {
    this.ctx.registry.for(server).clear();
    this.ctx.serverParams.delete(server);
  }

  private notePin(reason: PinReason | null): void {
    if (reason !== null && this.pinned === null) this.pinned = reason;
  }

  private noteWipe(nodeName: string, node: unknown, outstanding: number, status: number): void {
    if (status !== 0x49) return;
    let wipe = Wipe.None;
    if (nodeName === 'DiscardStmt' && (node as { DiscardStmt?: { target?: string } }).DiscardStmt?.target === 'DISCARD_ALL') wipe = Wipe.All;
    else if (nodeName === 'DeallocateStmt') {
      const d = (node as { DeallocateStmt?: { name?: string; isall?: boolean } }).DeallocateStmt ?? {};
      if (d.isall === true || d.name === undefined) wipe = Wipe.Statements;
    }
    if (wipe === Wipe.None) return;
    if (this.wipe === Wipe.None) this.wipeAfter = outstanding;
    if (wipe > this.wipe) this.wipe = wipe;
  }
}

const NO_STATEMENTS: StatementAnalysis[] = [];

function parseTree(sql: string): unknown[] {
  const parsed = parseSql(sql);
  return parsed.ok ? parsed.statements.map((s) => s.node) : [];
}
