import type { TableName } from '@pgdog/compiler';
import { DescribeTarget, readClose } from '../protocol/frontend/describe-close.js';
import { FrontendCode } from '../protocol/codes.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { readParse } from '../protocol/frontend/parse.js';
import { readQuery } from '../protocol/frontend/query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { target, type Target } from '../balance/target.js';
import { queryMessage } from '../backend/internal-query.js';
import { statementKey, statementKeyFromBytes } from '../prepared/client-statements.js';
import { syncPlan } from '../params/index.js';
import { PoolMode, type ForwarderHost, type ForwarderOptions } from './forwarder-host.js';
import { ANSWERLESS } from './answerless.js';
import { readyForQueryFrame, type LocalReplies } from './local-replies.js';
import type { LeasePort, PoolPort } from './server-port.js';
import type { TransactionTracker } from './transaction-tracker.js';
import type { MultiRoute, QueryRouter } from './query-router.js';
import type { SessionTracking } from './session-tracking.js';
import { MultiShard, type MultiShardHost } from './multi-shard.js';
import { startShardedCopy, type ShardedCopy } from './sharded-copy.js';
import { MergedResults, SummedResults } from './shard-results.js';
import { BatchState, planBatch, UnitKind, type BatchPlan, type ClientStatement } from './extended-batch.js';
import { BatchResults } from './batch-results.js';
import { directBatch, type KnownStatement } from './direct-batch.js';
import { ClientBatchRouting } from './batch-routing.js';
import { BatchBuffer } from './batch-buffer.js';

const QUERY = FrontendCode.Query;
const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const DESCRIBE = FrontendCode.Describe;
const EXECUTE = FrontendCode.Execute;
const SYNC = FrontendCode.Sync;
const FLUSH = FrontendCode.Flush;
const CLOSE = FrontendCode.Close;
const FUNCTION_CALL = FrontendCode.FunctionCall;
/** A batch longer than this is collected and planned rather than looked ahead at. */
const AHEAD_MAX_FRAMES = 32;
/** A client's unsynced extended-protocol batch on a sharded database is bounded (frames, bytes). */
const BATCH_MAX_FRAMES = 10_000;
const BATCH_MAX_BYTES = 64 * 1024 * 1024;

// The frames of a batch are only read (direct-batch.ts) before the batch runs from the read buffer
// itself, so the most common ones are handed over as these shared copies instead of new views.
const SYNC_FRAME = Buffer.from([SYNC, 0, 0, 0, 4]);
const DESCRIBE_UNNAMED_PORTAL = Buffer.from([DESCRIBE, 0, 0, 0, 6, DescribeTarget.Portal, 0]);
const EXECUTE_UNNAMED_PORTAL = Buffer.from([EXECUTE, 0, 0, 0, 9, 0, 0, 0, 0, 0]);

/** Describe of the unnamed portal, or its Execute without a row limit: the shared frame; else null. */
function unnamedPortalFrame(code: number, buf: Buffer, start: number, end: number): Buffer | null {
  if (code === DESCRIBE) return end - start === 7 && buf[start + 5] === DescribeTarget.Portal && buf[start + 6] === 0 ? DESCRIBE_UNNAMED_PORTAL : null;
  // Execute: the name '' (one NUL) and a row limit of 0.
  if (code === EXECUTE) return end - start === 10 && buf[start + 5] === 0 && buf.readInt32BE(start + 6) === 0 ? EXECUTE_UNNAMED_PORTAL : null;
  return null;
}

function copyFrame(buf: Buffer, start: number, end: number): Buffer {
  const copy = Buffer.allocUnsafe(end - start);
  buf.copy(copy, 0, start, end);
  return copy;
}

/**
 * What the sharded path needs of the Forwarder's single-server path. Plain functions, not getters:
 * an object literal with getters gets a hidden class of its own per client.
 */
export interface SingleServerPath {
  /** Something of the client's is under way there: a checkout, runs waiting for it, answers, a parameter sync. */
  inFlight(): boolean;
  /** Frames wait for what runs now to finish. */
  holding(): boolean;
  closed(): boolean;
  /** A server is attached. */
  attached(): boolean;
  /** A BEGIN was answered locally; the transaction's first statement will send it. */
  beginHeld(): boolean;
  /** The shard its target is on (0 before one is chosen). */
  shard(): number;
  /** These frames, and every one after them, wait (client paused) until replayHeld(). */
  waitWith(frames: readonly Buffer[]): void;
  replayHeld(): void;
  /** As after an extended-protocol error: frames are dropped up to Sync. */
  skipToSync(): void;
  /** Lets go of the attached server without releasing it; null when none is attached. */
  detachServer(): LeasePort | null;
  takeHeldBegin(): Buffer | null;
  /** Reads the table's column order, then replays the held frames (see column-lookup.ts). */
  lookUpColumns(table: TableName): void;
  /**
   * The batch starting at the frame being dispatched runs through the single-server path on
   * `wanted`, as the client's own frames, up to its Sync (ending at `syncEnd` of the same buffer);
   * false when the attached server cannot run it.
   */
  takeDirect(wanted: Target, syncEnd: number): boolean;
  /** Replays a planned batch through the single-server path on `wanted`; false when the attached server cannot run it. */
  replayDirect(wanted: Target, frames: readonly Buffer[]): boolean;
}

/**
 * A sharded database's work beyond one server: simple Queries for several shards and the
 * transactions that reach them (MultiShard), sharded COPY, and extended-protocol batches, which are
 * collected up to Sync and planned before any of them runs. Exists only when the router has shards.
 */
export class ShardedPath {
  private readonly single: SingleServerPath;
  private readonly host: ForwarderHost;
  private readonly opts: ForwarderOptions;
  private readonly router: QueryRouter;
  private readonly tracker: TransactionTracker;
  private readonly replies: LocalReplies;
  private readonly st: SessionTracking | null;
  private readonly multiHost: MultiShardHost;
  /** Statements on several shards, and a transaction that has touched several. */
  private active: MultiShard | null = null;
  private busy = false;
  private queryTimer: NodeJS.Timeout | null = null;
  private readonly onQueryTimeoutBound = (): void => this.onQueryTimeout();
  /** A sharded COPY FROM STDIN under way: the client's copy frames go to it. */
  private copyIn: ShardedCopy | null = null;
  /** The extended-protocol frames since the last Sync (see extended-batch.ts). */
  private batchFrames: BatchBuffer | null = null;
  private batchState: BatchState | null = null;
  /**
   * Named statements whose Parse ran on the single-server path (as the statement object the batch
   * state holds): with prepared_statements on, that path prepares them on any shard's connection.
   */
  private readonly knownDirect = new Map<string, ClientStatement>();
  private readonly knownBound: KnownStatement = (name, s) =>
    this.knownDirect.get(name) === s && this.opts.mode !== PoolMode.Session && this.st?.ps?.client.get(statementKey(name)) !== undefined;
  private batchRouting: ClientBatchRouting | null = null;
  private readonly noteParseBound = (sql: string): boolean => this.router.noteParse(sql);
  /** The client's last lone BEGIN / START TRANSACTION (simple protocol), as sent. */
  private lastBegin: Buffer | null = null;

  constructor(single: SingleServerPath, host: ForwarderHost, pool: PoolPort, opts: ForwarderOptions, router: QueryRouter, tracker: TransactionTracker, replies: LocalReplies, st: SessionTracking | null) {
    this.single = single;
    this.host = host;
    this.opts = opts;
    this.router = router;
    this.tracker = tracker;
    this.replies = replies;
    this.st = st;
    this.multiHost = {
      pool,
      checkoutTimeoutMs: opts.checkoutTimeoutMs,
      send: (bytes) => host.clientWriter.write(bytes),
      checkoutFailure: (err) => host.checkoutFailure(err),
      done: (status) => this.multiDone(status),
      resultLimit: opts.crossShardResultLimit,
      cancelOn: (server) => host.cancelOnServer(server),
      setClientPeer: (peer) => host.clientWriter.setPeer(peer),
      setup: (server) => {
        if (st === null) return null;
        const plan = syncPlan(st.params.values, st.serverParams(server));
        return plan === null ? null : { frame: plan.frame, applied: () => plan.applied() };
      },
    };
  }

  /** The transaction (or statement) spread over several shards; null while the single-server path serves. */
  get multi(): MultiShard | null {
    return this.active;
  }

  /** Nothing collected and no shard held. */
  get idle(): boolean {
    return this.active === null && this.batchFrames === null;
  }

  /** Shards hold the client's open transaction and wait for its next request (idle-in-transaction timeout). */
  get idleInTransaction(): boolean {
    return this.active !== null && !this.busy && this.active.inTransaction && this.batchFrames === null && this.copyIn === null;
  }

  /** True when a sharded COPY FROM took the frame. */
  copyFrame(code: number, buf: Buffer, start: number, end: number): boolean {
    return this.copyIn !== null && this.copyIn.clientFrame(code, buf, start, end);
  }

  noteBegin(buf: Buffer, start: number, end: number): void {
    this.lastBegin = Buffer.from(buf.subarray(start, end));
  }

  /** True when a statement is running on the shards (its cancel went to every shard still running). */
  cancel(): boolean {
    const multi = this.active;
    if (multi === null || !this.busy) return false;
    void multi.cancel((server) => this.host.cancelOnServer(server));
    return true;
  }

  /** The client is gone. */
  close(): void {
    this.stopQueryTimer();
    this.batchFrames = null;
    if (this.active !== null) {
      this.active.releaseAll(this.busy ? 'broken' : 'dirty');
      this.active = null;
    }
  }

  /**
   * A simple Query for several shards (or for another shard inside a transaction) goes to
   * MultiShard, once nothing of the client's is in flight; false when it cannot (extended
   * protocol, a session kept on one server): the caller runs it on one server as before.
   */
  toMulti(code: number, buf: Buffer, start: number, end: number, m: MultiRoute, role: Target['role']): boolean {
    if (code !== QUERY || this.opts.mode === PoolMode.Session || (this.st !== null && this.st.pinned !== null) || this.tracker.unsynced > 0) return false;
    this.host.framer.consume();
    const frame = Buffer.from(buf.subarray(start, end));
    if (this.single.inFlight()) {
      // What is in flight finishes first; this frame (and all after it) is replayed then.
      this.single.waitWith([frame]);
      return true;
    }
    // Later frames wait for this statement's answer.
    this.single.waitWith([]);
    let multi = this.active;
    if (multi === null) multi = this.active = new MultiShard(this.multiHost);
    this.handOver(multi);
    this.startBusy();
    if (m.copy !== undefined) {
      // Sharded COPY: pgdog drives it (sharded-copy.ts); COPY FROM takes the client's copy frames while it runs.
      this.copyIn = startShardedCopy(multi, frame, m.copy, m.shards, role, this.host, { done: (status) => this.copyDone(status), closed: () => this.single.closed() });
      return true;
    }
    const tag = multi.inTransaction ? this.router.transactionEnd(readQuery(frame, 0, frame.length)) : null;
    if (tag !== null) multi.end(frame, tag, new SummedResults());
    // A merged SELECT runs the plan's text (it may add columns for the merge) on every shard.
    else multi.run(m.plan !== null ? queryMessage(m.plan.shardSql) : m.texts === null ? frame : m.texts.map(queryMessage), m.shards, role, m.plan !== null ? new MergedResults(m.plan) : new SummedResults(m.replicated));
    return true;
  }

  /**
   * The first extended-protocol frame of a batch whose frames up to its Sync are all in this read:
   * when it is the common one-shard batch (direct-batch.ts), the single-server path takes it as it
   * stands, in the client's run, with no copy and no replay. False: collect() it.
   */
  lookahead(code: number, buf: Buffer, start: number, end: number): boolean {
    if (this.batchFrames !== null || this.active !== null || this.busy || this.single.holding() || this.single.inFlight()) return false;
    const limit = this.host.framer.restEnd();
    if (limit < 0) return false;
    // A fresh array: emptying a reused one (length = 0) is a runtime call in V8, a new one is not.
    const frames: Buffer[] = [];
    let c = code;
    let s = start;
    let e = end;
    for (;;) {
      if (c !== PARSE && c !== BIND && c !== DESCRIBE && c !== EXECUTE && c !== SYNC) return false;
      // Portals keep their Bind values past this read (a later batch may execute one): a copy.
      // From Node's buffer pool: a TypedArray slice of a few dozen bytes lives in V8's heap, and
      // the first view of its values (routing reads one) moves it to a malloc'd store of its own.
      frames.push(c === BIND ? copyFrame(buf, s, e) : c === SYNC ? SYNC_FRAME : unnamedPortalFrame(c, buf, s, e) ?? buf.subarray(s, e));
      if (c === SYNC) break;
      if (frames.length === AHEAD_MAX_FRAMES || limit - e < 5) return false;
      s = e;
      c = buf[s]!;
      e = s + 1 + buf.readInt32BE(s + 1);
      // A bad length is the framer's to report when it gets there.
      if (e < s + 5 || e > limit) return false;
    }
    const router = this.router;
    const routing = this.singleRouting();
    // The batch's Parses move the routing session along; collect() moves it again if this gives up.
    const saved = router.routingSession;
    const direct = directBatch(frames, (this.batchState ??= new BatchState()), routing, this.knownBound, this.noteParseBound);
    if (direct === null || !this.single.takeDirect(target(direct.shard, direct.primary ? 'primary' : 'replica'), e)) {
      router.routingSession = saved;
      return false;
    }
    const parsed = direct.parsed;
    for (let i = 0; i < parsed.length; i++) this.knownDirect.set(parsed[i]![0], parsed[i]![1]);
    return true;
  }

  /** The batch routing while nothing runs on several shards: as the single-server path stands. */
  private singleRouting(): ClientBatchRouting {
    const routing = (this.batchRouting ??= new ClientBatchRouting(this.router));
    routing.resetSingle(this.single.attached() ? this.single.shard() : null, this.tracker.status, this.single.beginHeld());
    return routing;
  }

  /** Extended-protocol frames are kept until Sync (or Flush), then planned. */
  collect(code: number, buf: Buffer, start: number, end: number): void {
    this.host.framer.consume();
    const batch = (this.batchFrames ??= new BatchBuffer(end - start));
    batch.append(buf, start, end);
    if (code === PARSE) this.router.noteParse(readParse(buf, start, end).query);
    else if (code === CLOSE && buf[start + 5] === DescribeTarget.Statement && end - start > 6) {
      // The single-server path's statement names must forget it too (a later Parse of the name there
      // would otherwise be refused as a duplicate).
      this.st?.ps?.client.delete(statementKeyFromBytes(buf, start + 6, end - 1));
      this.knownDirect.delete(readClose(buf, start, end).name);
    }
    if (code === SYNC || code === FLUSH) {
      this.runBatch();
    } else if (batch.count > BATCH_MAX_FRAMES || batch.bytes > BATCH_MAX_BYTES) {
      this.batchFrames = null;
      this.host.fail({ sqlstate: SqlState.ProgramLimitExceeded, message: `pgdog: an extended-protocol batch without Sync exceeded ${BATCH_MAX_FRAMES} messages or ${BATCH_MAX_BYTES} bytes` });
    }
  }

  /** Extended protocol inside a transaction over several shards is not served yet. */
  refuseInMulti(code: number): void {
    const multi = this.active as MultiShard;
    this.host.framer.consume();
    const out = this.host.clientWriter;
    if (code === SYNC) {
      out.write(readyForQueryFrame(multi.status));
      return;
    }
    if (ANSWERLESS[code] === 1) return;
    if (multi.status === TransactionStatus.InTransaction) multi.status = TransactionStatus.Failed;
    out.write(this.replies.error({ severity: 'ERROR', sqlstate: SqlState.FeatureNotSupported, message: 'pgdog: extended protocol inside a transaction that spans several shards is not supported yet' }));
    if (code === FUNCTION_CALL) out.write(readyForQueryFrame(multi.status));
    else this.single.skipToSync();
  }

  private copyDone(status: number): void {
    this.copyIn = null;
    this.multiDone(status);
  }

  /** A statement goes to the shards: query_timeout runs for it as on one server. */
  private startBusy(): void {
    this.busy = true;
    const ms = this.opts.queryTimeoutMs;
    if (ms !== null) this.queryTimer = setTimeout(this.onQueryTimeoutBound, ms);
  }

  /** query_timeout: every shard still running is cancelled, again each period while one still runs
   *  (PostgreSQL drops a cancel that arrives before the query started). */
  private onQueryTimeout(): void {
    this.queryTimer = null;
    if (!this.busy || this.active === null) return;
    this.host.warn('query_timeout reached, cancelling the query on its shards', { timeoutMs: this.opts.queryTimeoutMs });
    void this.active.cancel((server) => this.host.cancelOnServer(server));
    this.queryTimer = setTimeout(this.onQueryTimeoutBound, this.opts.queryTimeoutMs!);
  }

  private stopQueryTimer(): void {
    if (this.queryTimer === null) return;
    clearTimeout(this.queryTimer);
    this.queryTimer = null;
  }

  /** MultiShard answered a statement: out of a transaction its servers go back to the pool. */
  private multiDone(status: number): void {
    this.busy = false;
    this.stopQueryTimer();
    if (this.single.closed()) return;
    const multi = this.active as MultiShard;
    if (status === TransactionStatus.Idle) {
      multi.releaseAll('clean');
      this.active = null;
      this.tracker.status = TransactionStatus.Idle;
      // Portals do not outlive their transaction.
      this.batchState?.portals.clear();
    }
    this.single.replayHeld();
    if (this.single.holding() || this.busy) return;
    if (this.active === null) this.host.idle();
    else this.host.idleInTransaction();
  }

  /**
   * Work moves to MultiShard: a transaction begun on the single-server path continues on that
   * server (shards enlisted later open theirs as the client's BEGIN did); an idle server goes back.
   */
  private handOver(multi: MultiShard): void {
    const shard = this.single.shard();
    const status = this.tracker.status;
    const lease = this.single.detachServer();
    if (lease !== null) {
      if (status === TransactionStatus.Idle) lease.release('clean');
      else {
        multi.adopt(shard, lease, status);
        if (this.lastBegin !== null) multi.beginWith(this.lastBegin);
      }
    }
    const begin = this.single.takeHeldBegin();
    if (begin !== null) multi.openWith(begin);
  }

  /** One batch on the shards its Executes route to, answered as one database would. */
  private runBatch(): void {
    const router = this.router;
    const batch = this.batchFrames as BatchBuffer;
    const frames = batch.frames();
    this.batchFrames = null;
    if (this.single.holding() || this.single.inFlight() || this.busy) {
      // What is in flight finishes first; the batch is replayed (and collected again) then.
      this.single.waitWith(frames);
      return;
    }
    // Where the client's transaction stands: on MultiShard, or on the single-server path's server.
    const multi = this.active;
    let routing: ClientBatchRouting;
    if (multi === null) routing = this.singleRouting();
    else {
      routing = (this.batchRouting ??= new ClientBatchRouting(router));
      routing.resetMulti(multi.inTransaction, multi.shards, multi.status === TransactionStatus.Failed);
    }
    const inTransaction = routing.inTransaction;
    const failed = routing.failed;
    const state = (this.batchState ??= new BatchState());
    if (multi === null) {
      const direct = directBatch(frames, state, routing, this.knownBound);
      if (direct !== null && this.single.replayDirect(target(direct.shard, direct.primary ? 'primary' : 'replica'), [batch.whole()])) {
        for (const [name, s] of direct.parsed) this.knownDirect.set(name, s);
        return;
      }
    }
    let plan = planBatch(frames, state, routing);
    if (plan.needsColumns !== null) {
      if (!inTransaction) {
        // Looked up first; the batch comes back through collect() then.
        this.single.waitWith(frames);
        this.single.lookUpColumns(plan.needsColumns);
        return;
      }
      router.provideColumns(plan.needsColumns, null);
      plan = planBatch(frames, state, routing);
      router.forgetColumns();
    }
    if (multi === null && this.runDirect(plan, frames)) return;
    if (plan.sessionChange) {
      routing.refuseSessionChanges();
      plan = planBatch(frames, state, routing);
    }
    const m = multi ?? (this.active = new MultiShard(this.multiHost));
    this.handOver(m);
    this.single.waitWith([]);
    this.startBusy();
    m.run(plan.frames, plan.shards, plan.primary ? 'primary' : 'replica', new BatchResults(plan), { inFailed: failed && plan.endsTransactionOnly, noReady: plan.flushOnly });
  }

  /**
   * The common batch — one shard, nothing merged, every statement it binds parsed in it — runs on
   * the single-server path as on an unsharded database: the client's own frames, streamed, with
   * named statements and session parameters handled there. False: MultiShard must run it.
   */
  private runDirect(plan: BatchPlan, frames: Buffer[]): boolean {
    if (plan.refusal !== null || plan.flushOnly || plan.shards.length !== 1) return false;
    for (const u of plan.units) if (!u.client || u.plan !== null || u.replicated || u.kind === UnitKind.CloseLocal) return false;
    return this.single.replayDirect(target(plan.shards[0]!, plan.primary ? 'primary' : 'replica'), frames);
  }
}
