// Extended-protocol traffic of a sharded database, one batch (up to Sync) at a time. The batch is
// collected, then planned here: every Execute is routed with its Bind values, and each shard the
// batch touches gets its own self-contained frame sequence — statements are sent as unnamed Parses
// (re-sent wherever a Bind or Describe needs another one), so no shard connection needs state from
// an earlier batch or from another client. The plan lists the answers each shard will send (units),
// so batch-results.ts can turn them back into what one database would have answered.
//
// Why not the prepared-statement rewriter of the single-server path: it keeps one server in step
// with one client; here one client batch fans out to several servers at once, and a client's named
// statement may run on a shard it was never parsed on.

import type { CrossShardPlan, TableName } from '@pgdog/compiler';
import { FrontendCode } from '../protocol/codes.js';
import { readBind, type BindMessage } from '../protocol/frontend/bind.js';
import { DescribeTarget, readClose, readDescribe } from '../protocol/frontend/describe-close.js';
import { readExecute } from '../protocol/frontend/execute.js';
import { readParse } from '../protocol/frontend/parse.js';
import { MessageWriter } from '../protocol/writer.js';
import { SqlState } from '../protocol/sqlstate.js';
import { paramText } from '../merge/param-text.js';
import { renameBind } from '../prepared/frames.js';

const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const DESCRIBE = FrontendCode.Describe;
const EXECUTE = FrontendCode.Execute;
const CLOSE = FrontendCode.Close;
const SYNC = FrontendCode.Sync;
const FLUSH = FrontendCode.Flush;

/** Frame codes that make up an extended-protocol batch. */
export function isExtendedFrame(code: number): boolean {
  return code === PARSE || code === BIND || code === DESCRIBE || code === EXECUTE || code === CLOSE || code === SYNC || code === FLUSH;
}

/** A client's statement as it parsed it. A new Parse of a name is a new object. */
export interface ClientStatement {
  readonly sql: string;
  readonly types: readonly number[];
}

export interface Portal {
  readonly statement: ClientStatement;
  readonly bind: BindMessage;
}

/** Where an Execute runs, as the router decides it (see QueryRouter.routeBound). */
export type ExecuteRoute =
  | {
    readonly ok: true;
    readonly shards: readonly number[];
    readonly primary: boolean;
    /** A SELECT merged across shards (the shards run plan.shardSql). */
    readonly plan: CrossShardPlan | null;
    /** Per shard statement text (a multi-row INSERT split by row), aligned with `shards`. */
    readonly texts: readonly string[] | null;
    /** With `texts` and Bind parameters: per shard, the client's parameter numbers its text uses, in order. */
    readonly paramOrders?: readonly (readonly number[])[] | null;
    readonly replicated: boolean;
    /** COMMIT / ROLLBACK of the client's transaction: every enlisted shard. */
    readonly endsTransaction: boolean;
    /** Changes the session (SET...): only the single-server path, which tracks it, may run it. */
    readonly sessionChange?: boolean;
  }
  | { readonly ok: false; readonly sqlstate: string; readonly message: string; readonly columnsOf?: TableName };

export interface BatchRouting {
  route(sql: string, bind: BindMessage): ExecuteRoute;
  /** Shards the client's transaction is enlisted on (a transaction end goes to all of them). */
  readonly enlisted: readonly number[];
  /** The transaction failed: its end runs as ROLLBACK. */
  readonly failed: boolean;
  /** The shard a batch with no Execute (Parse / Describe only) is answered by. */
  readonly anyShard: number;
}

export const enum UnitKind {
  Parse,
  Bind,
  DescribeStatement,
  DescribePortal,
  Execute,
  Close,
  /** Close of a statement: pgdog's own CloseComplete (statements live in the batch only). */
  CloseLocal,
}

/** One request whose answer each participating shard sends, in batch order. */
export interface Unit {
  readonly kind: UnitKind;
  /** false: pgdog added it; its answer is not the client's. */
  readonly client: boolean;
  /** Shards that get it; null: every shard of the batch. */
  readonly shards: readonly number[] | null;
  /** Execute / Describe of a merged SELECT: the merge plan (Describe answers lose hidden columns). */
  readonly plan: CrossShardPlan | null;
  readonly replicated: boolean;
  /** Execute of a merged SELECT: Bind values as text for LIMIT / OFFSET parameters. */
  readonly params: readonly (string | null)[];
}

export interface BatchPlan {
  readonly shards: readonly number[];
  /** Frames for each of `shards` (same order), ending with Sync. */
  readonly frames: readonly Buffer[];
  readonly units: readonly Unit[];
  readonly primary: boolean;
  /** Statements after this point were not sent: this error is the batch's last answer. */
  readonly refusal: { readonly sqlstate: string; readonly message: string } | null;
  /** The batch ended at Flush: the client wants answers, not a ReadyForQuery. */
  readonly flushOnly: boolean;
  /** Every Execute of the batch (one at least) ends the client's transaction. */
  readonly endsTransactionOnly: boolean;
  /** Routing needs this table's column order (an INSERT without a column list): look it up, plan again. */
  readonly needsColumns: TableName | null;
  /** An Execute changes the session: the batch must run on the single-server path, or be refused. */
  readonly sessionChange: boolean;
}

interface Step {
  readonly kind: UnitKind | 'sync';
  readonly client: boolean;
  readonly frame: (shard: number) => Buffer | null;
  readonly shards: readonly number[] | null;
  readonly plan: CrossShardPlan | null;
  readonly replicated: boolean;
  readonly params: readonly (string | null)[];
}

const writer = new MessageWriter(1024);

function parseFrame(sql: string, types: readonly number[]): Buffer {
  const w = writer.begin(PARSE).cstring('').cstring(sql).int16(types.length);
  for (const t of types) w.uint32(t);
  return w.end().take();
}

/** The client's Bind with its statement name replaced by the unnamed one. */
function unnamedBind(frame: Buffer): Buffer {
  const portalEnd = frame.indexOf(0, 5);
  const nameEnd = frame.indexOf(0, portalEnd + 1);
  return nameEnd === portalEnd + 1 ? frame : renameBind(frame, 0, frame.length, portalEnd + 1, nameEnd, '');
}

const DESCRIBE_UNNAMED_STATEMENT = Buffer.from([DESCRIBE, 0, 0, 0, 6, DescribeTarget.Statement, 0]);
const SYNC_FRAME = Buffer.from([SYNC, 0, 0, 0, 4]);

function describePortalFrame(portal: string): Buffer {
  return writer.begin(DESCRIBE).byte(DescribeTarget.Portal).cstring(portal).end().take();
}

/** The client's Bind for a statement that keeps only some of its parameters (`order`: 1-based). */
function reorderedBind(b: BindMessage, order: readonly number[]): Buffer {
  const w = writer.begin(BIND).cstring(b.portal).cstring('');
  const f = b.parameterFormats;
  if (f.length <= 1) {
    w.int16(f.length);
    if (f.length === 1) w.int16(f[0]!);
  } else {
    w.int16(order.length);
    for (const n of order) w.int16(f[n - 1] ?? 0);
  }
  w.int16(order.length);
  for (const n of order) {
    const v = b.parameters[n - 1];
    if (v === null || v === undefined) w.int32(-1);
    else w.int32(v.length).bytes(v);
  }
  w.int16(b.resultFormats.length);
  for (const r of b.resultFormats) w.int16(r);
  return w.end().take();
}

/** Bind values as text (binary integers decoded): what LIMIT / OFFSET parameters need. */
function textParams(b: BindMessage): (string | null)[] {
  const f = b.parameterFormats;
  return b.parameters.map((v, i) => paramText(v, f.length === 0 ? 0 : f.length === 1 ? f[0]! : f[i] ?? 0));
}

/**
 * The client's named statements and portals across batches. Statements are kept as the client
 * parsed them (pgdog re-sends them as needed); portals only within a transaction.
 */
export class BatchState {
  readonly statements = new Map<string, ClientStatement>();
  readonly portals = new Map<string, Portal>();
  /**
   * The client's last unnamed Parse (a copy of its frame) and the statement made of it: drivers
   * send the same unnamed Parse batch after batch, and the same bytes are the same statement, so
   * direct-batch.ts takes it again without decoding it. `unnamedQuiet`: its text cannot move the
   * routing session (no transaction statement, no SET), so it need not be heard again either.
   */
  unnamedParse: Buffer | null = null;
  unnamedStatement: ClientStatement | null = null;
  unnamedQuiet = false;
}

/**
 * Where a batch that binds a portal but executes nothing runs: where an Execute of its last bound
 * portal would, so that a later batch executing that portal finds it there. Null (the usual
 * placement) when that route is not one plain shard, or is refused: the Execute will say so.
 */
export function boundShard(routing: BatchRouting, portal: Portal | null): number | null {
  if (portal === null) return null;
  const r = routing.route(portal.statement.sql, portal.bind);
  if (!r.ok || r.plan !== null || r.texts !== null || r.replicated || r.endsTransaction || r.shards.length !== 1) return null;
  return r.shards[0]!;
}

/**
 * Plans one batch. `frames`: the client's frames (copies), the last one Sync or Flush. Statements
 * and portals in `state` are updated as the batch defines or closes them.
 */
export function planBatch(frames: readonly Buffer[], state: BatchState, routing: BatchRouting): BatchPlan {
  const steps: Step[] = [];
  const used = new Set<number>();
  let primary = false;
  let refusal: BatchPlan['refusal'] = null;
  let needsColumns: TableName | null = null;
  let sessionChange = false;
  const last = frames[frames.length - 1];
  const flushOnly = last !== undefined && last[0] === FLUSH;
  // Statement text per shard: a merged SELECT runs its shard text; a split INSERT one per shard.
  const textOf = new Map<ClientStatement, { plan: CrossShardPlan | null; texts: Map<number, string> | null; orders: Map<number, readonly number[]> | null }>();
  let executed = false;
  let lastBound: Portal | null = null;
  let endsOnly = true;
  const executedAs = new Map<ClientStatement, boolean>();
  const describes: [number, ClientStatement][] = [];

  const refuse = (sqlstate: string, message: string): void => {
    refusal = { sqlstate, message };
  };
  const statementFor = (name: string): ClientStatement | null => state.statements.get(name) ?? null;
  const typesFor = (s: ClientStatement, shard: number): readonly number[] => {
    const order = textOf.get(s)?.orders?.get(shard);
    return order === undefined ? s.types : order.map((n) => s.types[n - 1] ?? 0);
  };
  const sqlFor = (s: ClientStatement, shard: number): string => {
    const t = textOf.get(s);
    if (t === undefined) return s.sql;
    if (t.texts !== null) return t.texts.get(shard) ?? s.sql;
    return t.plan !== null ? t.plan.shardSql : s.sql;
  };
  // The statement the unnamed slot of every shard holds at this point of the sequence.
  let slot: ClientStatement | null = null;
  const ensureSlot = (s: ClientStatement): void => {
    if (slot === s) return;
    slot = s;
    steps.push({ kind: UnitKind.Parse, client: false, frame: (shard) => parseFrame(sqlFor(s, shard), typesFor(s, shard)), shards: null, plan: null, replicated: false, params: [] });
  };

  for (let i = 0; i < frames.length && refusal === null; i++) {
    const f = frames[i];
    const code = f[0];
    const end = f.length;
    if (code === PARSE) {
      const p = readParse(f, 0, end);
      const s: ClientStatement = { sql: p.query, types: p.parameterTypes };
      state.statements.set(p.statement, s);
      slot = s;
      steps.push({ kind: UnitKind.Parse, client: true, frame: (shard) => parseFrame(sqlFor(s, shard), typesFor(s, shard)), shards: null, plan: null, replicated: false, params: [] });
    } else if (code === BIND) {
      const b = readBind(f, 0, end);
      const s = statementFor(b.statement);
      if (s === null) {
        refuse(SqlState.InvalidSqlStatementName, `prepared statement "${b.statement}" does not exist`);
        break;
      }
      // The values are views of the batch's own copy of the frame, which the portal keeps alive.
      lastBound = { statement: s, bind: b };
      state.portals.set(b.portal, lastBound);
      ensureSlot(s);
      const bind = unnamedBind(f);
      const message = state.portals.get(b.portal)!.bind;
      const frame = (shard: number): Buffer => {
        const order = textOf.get(s)?.orders?.get(shard);
        return order === undefined ? bind : reorderedBind(message, order);
      };
      steps.push({ kind: UnitKind.Bind, client: true, frame, shards: null, plan: null, replicated: false, params: [] });
    } else if (code === DESCRIBE) {
      const d = readDescribe(f, 0, end);
      if (d.target === DescribeTarget.Statement) {
        const s = statementFor(d.name);
        if (s === null) {
          refuse(SqlState.InvalidSqlStatementName, `prepared statement "${d.name}" does not exist`);
          break;
        }
        ensureSlot(s);
        steps.push({ kind: UnitKind.DescribeStatement, client: true, frame: () => DESCRIBE_UNNAMED_STATEMENT, shards: null, plan: null, replicated: false, params: [] });
        describes.push([steps.length - 1, s]);
      } else {
        const portal = state.portals.get(d.name);
        if (portal === undefined) {
          refuse(SqlState.InvalidCursorName, `portal "${d.name}" does not exist`);
          break;
        }
        steps.push({ kind: UnitKind.DescribePortal, client: true, frame: () => f, shards: null, plan: null, replicated: false, params: [] });
        describes.push([steps.length - 1, portal.statement]);
      }
    } else if (code === EXECUTE) {
      const e = readExecute(f, 0, end);
      const portal = state.portals.get(e.portal);
      if (portal === undefined) {
        refuse(SqlState.InvalidCursorName, `portal "${e.portal}" does not exist`);
        break;
      }
      const r = routing.route(portal.statement.sql, portal.bind);
      if (!r.ok) {
        if (r.columnsOf !== undefined) needsColumns = r.columnsOf;
        refuse(r.sqlstate, r.message);
        break;
      }
      const shards = r.endsTransaction && routing.enlisted.length > 0 ? routing.enlisted : r.shards;
      const merged = r.plan !== null;
      if (e.maxRows > 0 && (shards.length > 1 || merged)) {
        refuse(SqlState.FeatureNotSupported, 'pgdog: Execute with a row limit (a cursor fetching in parts) is not supported across shards');
        break;
      }
      // One text per statement and shard for the whole batch: a statement run with another text
      // (merged, split, rolled back) cannot also run plain in the same batch.
      const override = r.texts !== null || r.plan !== null || (r.endsTransaction && routing.failed);
      const seen = executedAs.get(portal.statement);
      if (seen !== undefined && (seen || override)) {
        refuse(SqlState.FeatureNotSupported, 'pgdog: this statement runs with a different text on each shard and cannot be executed twice in one batch; send a Sync between the executions');
        break;
      }
      executedAs.set(portal.statement, override);
      if (override) {
        const texts = r.endsTransaction && routing.failed
          ? new Map(shards.map((s) => [s, 'ROLLBACK']))
          : r.texts !== null ? new Map(r.shards.map((s, k) => [s, r.texts![k]!])) : null;
        const orders = r.paramOrders !== undefined && r.paramOrders !== null ? new Map(r.shards.map((s, k) => [s, r.paramOrders![k]!])) : null;
        textOf.set(portal.statement, { plan: r.plan, texts, orders });
      }
      for (const s of shards) used.add(s);
      if (r.primary) primary = true;
      if (r.sessionChange === true) sessionChange = true;
      if (!r.endsTransaction) endsOnly = false;
      executed = true;
      const params = merged ? textParams(portal.bind) : [];
      if (merged) {
        // The merge needs each shard's RowDescription even when the client did not ask for one.
        const describe = describePortalFrame(e.portal);
        steps.push({ kind: UnitKind.DescribePortal, client: false, frame: () => describe, shards, plan: r.plan, replicated: false, params: [] });
      }
      steps.push({ kind: UnitKind.Execute, client: true, frame: () => f, shards, plan: r.plan, replicated: r.replicated, params });
    } else if (code === CLOSE) {
      const c = readClose(f, 0, end);
      if (c.target === DescribeTarget.Statement) {
        state.statements.delete(c.name);
        steps.push({ kind: UnitKind.CloseLocal, client: true, frame: () => null, shards: null, plan: null, replicated: false, params: [] });
      } else {
        state.portals.delete(c.name);
        steps.push({ kind: UnitKind.Close, client: true, frame: () => f, shards: null, plan: null, replicated: false, params: [] });
      }
    } else if (code === FLUSH) {
      if (executed && i < frames.length - 1) continue;
      if (executed) {
        refuse(SqlState.FeatureNotSupported, 'pgdog: Flush after Execute (results before Sync) is not supported on a sharded database; send Sync');
        break;
      }
    } else if (code === SYNC) {
      steps.push({ kind: 'sync', client: true, frame: () => SYNC_FRAME, shards: null, plan: null, replicated: false, params: [] });
    }
  }
  // Describe answers of a merged SELECT lose the columns the merge added.
  for (const [index, s] of describes) {
    const t = textOf.get(s);
    if (t !== undefined && t.plan !== null) steps[index] = { ...steps[index]!, plan: t.plan };
  }
  if (used.size === 0) used.add(boundShard(routing, refusal === null ? lastBound : null) ?? (routing.enlisted.length > 0 ? routing.enlisted[0]! : routing.anyShard));
  const shards = [...used].sort((a, b) => a - b);
  if (steps.length === 0 || steps[steps.length - 1]!.kind !== 'sync') {
    // A refused or flushed batch still ends each shard's sequence with Sync: its ReadyForQuery
    // closes the shard's answer (flushOnly: not passed to the client).
    steps.push({ kind: 'sync', client: !flushOnly && refusal === null, frame: () => SYNC_FRAME, shards: null, plan: null, replicated: false, params: [] });
  }
  // Built on first use: a batch that runs on the single-server path never needs them.
  let out: Buffer[] | null = null;
  const framesOf = (): Buffer[] => (out ??= shards.map((shard) => {
    const parts: Buffer[] = [];
    for (const st of steps) {
      if (st.shards !== null && !st.shards.includes(shard)) continue;
      const b = st.frame(shard);
      if (b !== null) parts.push(b);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }));
  const units: Unit[] = [];
  for (const st of steps) {
    if (st.kind === 'sync') continue;
    units.push({ kind: st.kind, client: st.client, shards: st.shards, plan: st.plan, replicated: st.replicated, params: st.params });
  }
  // A batch with nothing to execute is answered by a primary (there may be no replica).
  return {
    shards, units, primary: primary || !executed, refusal, flushOnly, endsTransactionOnly: executed && endsOnly, needsColumns, sessionChange,
    get frames() {
      return framesOf();
    },
  };
}
