import { BackendCode, FrontendCode } from '../protocol/codes.js';
import { READY_FOR_QUERY_IDLE, READY_FOR_QUERY_IN_TRANSACTION } from '../protocol/constants.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { readParse } from '../protocol/frontend/parse.js';
import { readQuery } from '../protocol/frontend/query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { socketWriterFor, type SocketWriter } from '../net/socket-writer.js';
import type { ServerError } from '../backend/server-error.js';
import { PauseReason, PoolMode, type ForwarderHost, type ForwarderOptions } from './forwarder-host.js';
import { LocalReplies, readyForQueryFrame } from './local-replies.js';
import type { LeasePort, PoolPort, ReleaseState, ServerPort, ServerSink } from './server-port.js';
import { opensTransactionBlock } from './statement-guard.js';
import { TransactionTracker } from './transaction-tracker.js';
import type { MultiRoute, QueryRouter, RouteDecision } from './query-router.js';
import { PRIMARY_SHARD_0, serves, target, type Target } from '../balance/target.js';
import { queryMessage } from '../backend/internal-query.js';
import { ServerFrameAction, type PreparedStatements } from '../prepared/index.js';
import { statementKeyFromBytes } from '../prepared/client-statements.js';
import { SyncOutcome, SyncResponse, syncPlan, type SyncPlan } from '../params/index.js';
import type { SessionTracking } from './session-tracking.js';
import { MultiShard, type MultiShardHost } from './multi-shard.js';
import { startShardedCopy, type ShardedCopy } from './sharded-copy.js';
import { MergedResults, SummedResults } from './shard-results.js';
import { BatchState, isExtendedFrame, planBatch, UnitKind, type BatchPlan } from './extended-batch.js';
import { BatchResults } from './batch-results.js';
import { columnsOf, columnsQuery } from './table-columns.js';
import type { TableName } from '@pgdog/compiler';
import type { BindMessage } from '../protocol/frontend/bind.js';

const QUERY = FrontendCode.Query;
const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const COMMAND_COMPLETE = BackendCode.CommandComplete;
const READY_FOR_QUERY = BackendCode.ReadyForQuery;
const SYNC = FrontendCode.Sync;
const EXECUTE = FrontendCode.Execute;
const FUNCTION_CALL = FrontendCode.FunctionCall;
const FLUSH = FrontendCode.Flush;
const CLOSE = FrontendCode.Close;
/** Close / Describe target byte of a statement ('S'). */
const STATEMENT_TARGET = 0x53;
/** A client's unsynced extended-protocol batch on a sharded database is bounded (frames, bytes). */
const BATCH_MAX_FRAMES = 10_000;
const BATCH_MAX_BYTES = 64 * 1024 * 1024;
const COLUMNS_LOOKUP_TIMEOUT_MS = 10_000;
const TERMINATE = FrontendCode.Terminate;
const ERROR_RESPONSE = BackendCode.ErrorResponse;
/** Frames no answer follows when they arrive outside a COPY or an extended-protocol batch. */
const ANSWERLESS = new Uint8Array(256);
for (const code of [FrontendCode.CopyData, FrontendCode.CopyDone, FrontendCode.CopyFail, FrontendCode.Flush]) ANSWERLESS[code] = 1;

/**
 * The hot path of one client: client frames go to its server as the runs they arrived in, server
 * frames come back the same way. Per frame only the header is looked at (TransactionTracker), and
 * Terminate is taken out. In transaction and statement mode the server goes back to the pool at a
 * ReadyForQuery with status idle and nothing outstanding; session mode keeps it.
 *
 * Routed mode (a database with a choice of hosts): each Query / Parse / Bind is routed (QueryRouter)
 * and the transaction's first one picks the target its server is checked out for. A later statement
 * the attached server must not run (a write behind a read on a replica, pipelined) is held with
 * everything after it until that server is released, then replayed and routed afresh.
 */
export class Forwarder implements ServerSink {
  private readonly host: ForwarderHost;
  private readonly pool: PoolPort;
  private readonly opts: ForwarderOptions;
  private readonly tracker: TransactionTracker;
  private readonly replies: LocalReplies;
  private lease: LeasePort | null;
  private server: ServerPort | null;
  private serverWriter: SocketWriter | null;
  /** Copies of runs received while no server was attached. */
  private readonly pending: Buffer[];
  private checkingOut: boolean;
  private releaseAfterRun: boolean;
  /** After a locally refused or failed extended-protocol batch, frames are dropped up to Sync. */
  private skipUntilSync: boolean;
  private cancelsInFlight: number;
  /** A release waiting for an in-flight cancel (so the cancel cannot hit the server's next user). */
  private releaseAfterCancel: ReleaseState | null;
  private queryTimer: NodeJS.Timeout | null;
  private closed: boolean;
  private readonly onLeaseBound: (lease: LeasePort) => void;
  private readonly onCheckoutErrorBound: (err: unknown) => void;
  /** Routed mode only (null: one host, frames are never looked into). */
  private readonly router: QueryRouter | null;
  /** Where the current transaction runs, once its first statement is routed; null before. */
  private target: Target | null;
  /** Frames waiting for the attached server to be released (they need another target). */
  private held: Buffer[] | null;
  /** Aggressive strategy: a BEGIN answered locally, sent ahead of the transaction's first statement. */
  private heldBegin: Buffer | null;
  /** The server's answers to a held BEGIN are being swallowed (the client had its answer). */
  private swallowBegin: boolean;
  /**
   * Named statements, session parameters and pinning (see session-tracking.ts); null: none of it.
   * Session mode has one only to bring its server to the client's startup parameters.
   */
  private readonly st: SessionTracking | null;
  /** Transaction / statement mode with tracking: client frames are looked at. */
  private readonly tracks: boolean;
  /** Frames were dispatched with no server attached: their run is classified when written. */
  private unclassified: boolean;
  /** The attached server is being brought to the client's parameters; its answers are not the client's. */
  private syncing: SyncResponse | null;
  private syncingPlan: SyncPlan | null;
  private syncError: Buffer | null;
  /** Routed mode: statements on several shards, and a transaction that has touched several. */
  private multi: MultiShard | null;
  private multiBusy: boolean;
  private readonly multiHost: MultiShardHost;
  /** A sharded COPY FROM STDIN under way: the client's copy frames go to it. */
  private copyIn: ShardedCopy | null = null;
  /** Sharded database: the extended-protocol frames since the last Sync (see extended-batch.ts). */
  private batchFrames: Buffer[] | null;
  private batchBytes: number;
  private batchState: BatchState | null;
  /** A planned batch is replayed on the single-server path: its frames are not collected or routed again. */
  private batchDirect = false;
  /** Sharded database: the client's last lone BEGIN / START TRANSACTION (simple protocol), as sent. */
  private lastBegin: Buffer | null = null;

  constructor(host: ForwarderHost, pool: PoolPort, opts: ForwarderOptions, lease: LeasePort | null, router: QueryRouter | null = null, tracking: SessionTracking | null = null) {
    this.host = host;
    this.pool = pool;
    this.opts = opts;
    this.tracker = new TransactionTracker();
    this.replies = new LocalReplies();
    this.lease = null;
    this.server = null;
    this.serverWriter = null;
    this.pending = [];
    this.checkingOut = false;
    this.releaseAfterRun = false;
    this.skipUntilSync = false;
    this.cancelsInFlight = 0;
    this.releaseAfterCancel = null;
    this.queryTimer = null;
    this.closed = false;
    this.onLeaseBound = (l) => this.onLease(l);
    this.onCheckoutErrorBound = (e) => this.onCheckoutError(e);
    this.router = router;
    this.target = null;
    this.held = null;
    this.heldBegin = null;
    this.swallowBegin = false;
    this.st = tracking;
    this.tracks = tracking !== null && opts.mode !== PoolMode.Session;
    this.unclassified = false;
    this.syncing = null;
    this.syncingPlan = null;
    this.syncError = null;
    this.multi = null;
    this.multiBusy = false;
    this.batchFrames = null;
    this.batchBytes = 0;
    this.batchState = null;
    this.multiHost = {
      pool,
      checkoutTimeoutMs: opts.checkoutTimeoutMs,
      send: (bytes) => this.host.clientWriter.write(bytes),
      checkoutFailure: (err) => this.host.checkoutFailure(err),
      done: (status) => this.multiDone(status),
      setup: (server) => {
        const st = this.st;
        if (st === null) return null;
        const plan = syncPlan(st.params.values, st.serverParams(server));
        return plan === null ? null : { frame: plan.frame, applied: () => plan.applied() };
      },
    };
    if (lease !== null) this.attach(lease);
  }

  /** Nothing would be lost by closing now: no request pending, no transaction open. */
  get isIdle(): boolean {
    return (
      !this.checkingOut &&
      this.pending.length === 0 &&
      this.tracker.idle &&
      this.held === null &&
      this.heldBegin === null &&
      this.multi === null &&
      this.batchFrames === null &&
      (this.lease === null || this.opts.mode === PoolMode.Session)
    );
  }

  /** Waiting for the client inside an open transaction block (client_idle_in_transaction_timeout). */
  get idleInTransaction(): boolean {
    const t = this.tracker;
    return this.server !== null && t.outstanding === 0 && t.unsynced === 0 && !t.inCopy && t.status !== TransactionStatus.Idle && this.held === null && this.pending.length === 0;
  }

  // ---- client -> server ----------------------------------------------------------------------

  onClientMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.copyIn !== null && this.copyIn.clientFrame(code, buf, start, end)) return;
    if (this.held !== null) {
      this.hold(code, buf, start, end);
      return;
    }
    if (this.skipUntilSync) {
      this.skipFrame(code);
      return;
    }
    if (this.router !== null && isExtendedFrame(code) && this.router.multiShard && !this.batchDirect && this.opts.mode !== PoolMode.Session && (this.st === null || this.st.pinned === null)) {
      this.collect(this.router, code, buf, start, end);
      return;
    }
    if (this.multi !== null && code !== QUERY && code !== TERMINATE) {
      this.refuseInMulti(this.multi, code);
      return;
    }
    if (code === QUERY || code === PARSE) {
      if (end - start > this.opts.querySizeWarn) this.host.warn('query larger than query_size_limit', { bytes: end - start });
      if (this.opts.mode === PoolMode.Statement && this.refusesTransactionBlock(code, buf, start, end)) return;
      if (this.router !== null && !this.batchDirect && this.routeStatement(this.router, code, buf, start, end)) return;
    } else if (code === BIND && this.router !== null && !this.batchDirect) {
      if (this.place(this.router.bind(buf, start, end) ?? PRIMARY_SHARD_0, code, buf, start, end)) return;
    } else if (code === TERMINATE) {
      this.host.framer.consume();
      this.host.terminate();
      return;
    } else if (this.serverWriter === null && this.tracker.outstanding === 0 && this.tracker.unsynced === 0 && ANSWERLESS[code] === 1) {
      // PostgreSQL ignores these outside a COPY or a batch (postgres.js sends CopyFail after a
      // finished COPY); checking out a server for them would hold it with no answer to release it.
      this.host.framer.consume();
      return;
    }
    if (this.tracks && this.trackClientFrame(this.st as SessionTracking, code, buf, start, end)) return;
    this.count(code);
  }

  /** The frame goes (or went) to the server: the tracker counts it. */
  private count(code: number): void {
    const before = this.tracker.outstanding;
    this.tracker.client(code);
    if (before === 0 && this.tracker.outstanding === 1 && this.opts.queryTimeoutMs !== null) this.armQueryTimer();
  }

  onClientRun(buf: Buffer, start: number, end: number): void {
    let writer = this.serverWriter;
    // With nothing held back (no checkout under way) an idle server can take this run as it is:
    // no copy and no promise turn per transaction. A closed session must not take a server.
    if (writer === null && !this.checkingOut && !this.closed) {
      const lease = this.pool.tryCheckout(this.target);
      if (lease !== null) writer = this.attach(lease);
    }
    if (writer !== null) {
      if (this.unclassified) {
        this.unclassified = false;
        this.writeClassified(writer, buf, start, end, 0);
        return;
      }
      writer.write(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
      return;
    }
    // Held until a server is attached: a copy, because the view is only good for this dispatch.
    this.pending.push(Buffer.from(buf.subarray(start, end)));
    if (!this.checkingOut) this.checkout();
    // Only a client that keeps sending while the pool makes it wait is stopped, so its backlog
    // stays bounded.
    else this.host.pauseClient(PauseReason.Checkout);
  }

  /** Called once the session's client socket is gone (or the session closes it). */
  clientClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.disarmQueryTimer();
    this.pending.length = 0;
    this.held = null;
    this.heldBegin = null;
    this.batchFrames = null;
    if (this.multi !== null) {
      this.multi.releaseAll(this.multiBusy ? 'broken' : 'dirty');
      this.multi = null;
    }
    if (this.server === null) return;
    const t = this.tracker;
    if (t.outstanding > 0 || t.inCopy || this.syncing !== null) {
      // Mid-query the protocol is out of step, so the server is closed; cancelled first, because
      // PostgreSQL notices a closed socket only when it next writes (pg_sleep would run on).
      this.cancelRunningQuery();
      this.release('broken');
    } else {
      this.release(t.idle ? 'clean' : 'dirty');
    }
  }

  /** A CancelRequest with this session's key: only the server running its query is told. */
  cancelRunningQuery(): void {
    if (this.multi !== null && this.multiBusy) {
      this.multi.cancel((server) => this.host.cancelOnServer(server));
      return;
    }
    const server = this.server;
    if (server === null || (this.tracker.outstanding === 0 && !this.tracker.inCopy)) return;
    this.cancelsInFlight++;
    const done = (): void => {
      this.cancelsInFlight--;
      if (this.cancelsInFlight > 0 || this.releaseAfterCancel === null) return;
      const state = this.releaseAfterCancel;
      this.releaseAfterCancel = null;
      // Meanwhile the client may have started its next transaction on the same server.
      if (this.closed || this.tracker.idle) this.release(state);
    };
    this.host.cancelOnServer(server).then(done, done);
  }

  // ---- server -> client ----------------------------------------------------------------------

  onServerMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.syncing !== null) {
      this.syncAnswer(code, buf, start, end);
      return;
    }
    if (this.swallowBegin && this.swallowBeginAnswer(code, buf, start)) return;
    const st = this.st;
    if (st !== null && this.tracks) {
      if (code === READY_FOR_QUERY) st.ready(this.server as ServerPort, buf[start + 5], this.tracker.serverErrorSeen);
      const ps = st.ps;
      if (ps !== null && ps.plan.active) {
        const action = ps.plan.onServerFrame(code);
        if (action !== ServerFrameAction.Pass) {
          this.planned(action, ps.plan.takeInjections(), code, buf, start, end);
          return;
        }
      }
    }
    this.noteServerFrame(code, buf[start + 5]);
  }

  private noteServerFrame(code: number, status: number): void {
    if (this.tracker.server(code, status)) {
      if (this.queryTimer !== null) this.disarmQueryTimer();
      // Not while the client has sent a batch after its last Sync (Parse/Describe/Flush, say): the
      // rest of that batch must reach the server that has its first frames. A pinned client
      // keeps its server.
      if (this.tracker.idle && this.tracker.unsynced === 0 && this.opts.mode !== PoolMode.Session && (this.st === null || this.st.pinned === null)) this.releaseAfterRun = true;
    }
  }

  /**
   * A server frame the response plan swallows or follows with pgdog's own answers: it leaves the
   * run (earlier frames are flushed first), then goes to the client by hand with the injections.
   */
  private planned(action: ServerFrameAction, injections: Buffer[], code: number, buf: Buffer, start: number, end: number): void {
    (this.server as ServerPort).consumeCurrentFrame();
    this.noteServerFrame(code, buf[start + 5]);
    const out = this.host.clientWriter;
    if ((action & ServerFrameAction.Swallow) === 0) out.write(buf.subarray(start, end));
    for (let i = 0; i < injections.length; i++) out.write(injections[i]);
    this.afterServerOutput();
  }

  onServerRun(buf: Buffer, start: number, end: number): void {
    this.host.clientWriter.write(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    this.afterServerOutput();
  }

  private afterServerOutput(): void {
    if (this.tracker.outstanding !== 0) return;
    if (this.replies.waiting) this.replies.flush(this.host.clientWriter);
    if (this.releaseAfterRun) {
      this.releaseAfterRun = false;
      this.release('clean');
    } else {
      // Inside a transaction the server cannot be swapped: held frames go to it after all.
      if (this.held !== null) this.replayHeld();
      if (this.tracker.idle) this.host.idle();
      else if (!this.tracker.inCopy) this.host.idleInTransaction();
    }
  }

  /** Backpressure is the server writer's business (it has its own 'drain' listener). */
  onServerDrain(): void {}

  onServerClosed(err: ServerError): void {
    if (this.server === null) return;
    this.server = null;
    this.syncing = null;
    this.syncingPlan = null;
    this.detachServerWriter(false);
    const lease = this.lease;
    this.lease = null;
    this.releaseAfterRun = false;
    this.host.clientWriter.setPeer(null);
    this.disarmQueryTimer();
    if (lease !== null) lease.release('broken');
    if (this.closed) return;
    const t = this.tracker;
    if (t.outstanding > 0 || t.inCopy) {
      // The client waits for answers: an error (unless the server sent its own, 57P01 say), then
      // one ReadyForQuery per request, so it is in step again and its next query gets a fresh server.
      const error = t.serverErrorSeen ? null : this.replies.error({ severity: 'ERROR', sqlstate: err.sqlstate, message: err.message });
      this.answerLocally(error);
      return;
    }
    // Idle but holding the server (session mode, or inside a transaction): the session state the
    // client relies on is gone with it, so the client goes too, as with a direct connection.
    this.host.fail({ sqlstate: SqlState.ConnectionFailure, message: 'server closed the connection unexpectedly' });
  }

  // ---- internals -----------------------------------------------------------------------------

  private checkout(): void {
    this.checkingOut = true;
    const opts = { timeoutMs: this.opts.checkoutTimeoutMs };
    // A pool that hands a freed server straight to its waiter (pool-handle.ts) saves the promise
    // turn, and the frames held here go out in the releasing client's write round.
    const pool = this.pool as PoolPort & {
      checkoutOrWait?(o: { timeoutMs: number }, t: Target | null, onLease: (l: LeasePort) => void, onError: (e: unknown) => void): Promise<LeasePort> | null;
    };
    const p = pool.checkoutOrWait !== undefined ? pool.checkoutOrWait(opts, this.target, this.onLeaseBound, this.onCheckoutErrorBound) : pool.checkout(opts, this.target);
    if (p !== null) p.then(this.onLeaseBound, this.onCheckoutErrorBound);
  }

  private onLease(lease: LeasePort): void {
    this.checkingOut = false;
    if (this.closed) {
      lease.release('clean');
      return;
    }
    const writer = this.attach(lease);
    const pending = this.pending;
    if (this.st !== null && this.st.ps !== null && this.tracks) {
      this.unclassified = false;
      let later = 0;
      for (let i = 0; i < pending.length; i++) later += countRequests(pending[i], 0, pending[i].length);
      try {
        for (let i = 0; i < pending.length; i++) {
          later -= countRequests(pending[i], 0, pending[i].length);
          this.writeClassified(writer, pending[i], 0, pending[i].length, later);
        }
      } catch (err) {
        // Not inside the client's framer here: a frame the rewriter cannot read ends the client.
        pending.length = 0;
        this.host.fail({ sqlstate: (err as { sqlstate?: string }).sqlstate ?? SqlState.ProtocolViolation, message: (err as Error).message });
        return;
      }
    } else {
      for (let i = 0; i < pending.length; i++) writer.write(pending[i]);
    }
    pending.length = 0;
    this.host.resumeClient(PauseReason.Checkout);
  }

  private onCheckoutError(err: unknown): void {
    this.checkingOut = false;
    if (this.closed) return;
    this.pending.length = 0;
    const failure = this.host.checkoutFailure(err);
    this.answerLocally(this.replies.error({ severity: 'ERROR', sqlstate: failure.sqlstate, message: failure.message }));
    this.host.resumeClient(PauseReason.Checkout);
  }

  /** As if a server had answered: the error, one ReadyForQuery per request, then skip to Sync. */
  private answerLocally(error: Buffer | null): void {
    const out = this.host.clientWriter;
    if (error !== null) out.write(error);
    const answers = this.tracker.abandon();
    for (let i = 0; i < answers; i++) out.write(READY_FOR_QUERY_IDLE);
    this.replies.flush(out);
    if (this.tracker.unsynced > 0) this.skipUntilSync = true;
    this.tracker.unsynced = 0;
    this.disarmQueryTimer();
    this.target = null;
    this.heldBegin = null;
    this.swallowBegin = false;
    this.st?.abandon();
    if (this.held !== null) this.replayHeld();
    this.host.idle();
  }

  private attach(lease: LeasePort): SocketWriter {
    this.lease = lease;
    this.server = lease.server;
    lease.server.attach(this);
    this.host.clientWriter.setPeer(lease.server);
    const writer = socketWriterFor(lease.server.socket);
    writer.setPeer(this.host.clientReads);
    this.serverWriter = writer;
    const st = this.st;
    this.syncing = null;
    this.syncingPlan = null;
    this.syncError = null;
    if (st !== null) {
      // The client's parameters first, in the same write as its own frames; null when they match.
      const plan = syncPlan(st.params.values, st.serverParams(lease.server));
      if (plan !== null) {
        writer.write(plan.frame);
        this.syncing = new SyncResponse();
        this.syncingPlan = plan;
      }
    }
    const begin = this.heldBegin;
    if (begin !== null) {
      // The held BEGIN goes first, in the same write; its answers are not the client's.
      this.heldBegin = null;
      writer.write(begin);
      this.tracker.client(QUERY);
      this.swallowBegin = true;
    }
    return writer;
  }

  /** `flush`: what the client sent must reach the server before the pool writes its own statements. */
  private detachServerWriter(flush: boolean): void {
    const writer = this.serverWriter;
    if (writer === null) return;
    this.serverWriter = null;
    if (flush) writer.flush();
    writer.setPeer(null);
  }

  private release(state: ReleaseState): void {
    const lease = this.lease;
    if (lease === null) return;
    if (this.cancelsInFlight > 0) {
      this.releaseAfterCancel = state;
      return;
    }
    this.lease = null;
    this.server = null;
    this.target = null;
    this.detachServerWriter(true);
    this.host.clientWriter.setPeer(null);
    const reset = this.opts.mode === PoolMode.Session || (this.st !== null && this.st.pinned !== null);
    // The pool's DISCARD ALL leaves the connection with none of pgdog's statements or settings.
    if (reset && this.st !== null) this.st.forgetServer(lease.server);
    lease.release(state, { reset });
    if (this.closed) return;
    if (this.held !== null) this.replayHeld();
    this.host.idle();
  }

  /** Statement mode: BEGIN / START TRANSACTION would keep a server past its statement. */
  private refusesTransactionBlock(code: number, buf: Buffer, start: number, end: number): boolean {
    const sql = code === QUERY ? readQuery(buf, start, end) : readParse(buf, start, end).query;
    if (!opensTransactionBlock(this.opts.sqlPlans.analyzeCached(sql))) return false;
    this.host.framer.consume();
    const wait = this.server !== null && this.tracker.outstanding > 0;
    const out = this.host.clientWriter;
    this.replies.send(out, this.replies.error({ severity: 'ERROR', sqlstate: SqlState.FeatureNotSupported, message: 'transaction blocks are not allowed in statement pooling mode' }), wait);
    if (code === QUERY) this.replies.send(out, READY_FOR_QUERY_IDLE, wait);
    else this.skipUntilSync = true;
    return true;
  }

  /** As PostgreSQL after an extended-protocol error: everything up to Sync is dropped, Sync answered. */
  private skipFrame(code: number): void {
    this.host.framer.consume();
    if (code === TERMINATE) this.host.terminate();
    else if (code === SYNC) {
      this.skipUntilSync = false;
      const attached = this.server !== null;
      this.replies.send(this.host.clientWriter, this.localReadyForQuery(), attached && this.tracker.outstanding > 0);
    }
  }

  /** The ReadyForQuery a local answer ends with: the server's status, or a held BEGIN's. */
  private localReadyForQuery(): Buffer {
    if (this.multi !== null) return readyForQueryFrame(this.multi.status);
    if (this.heldBegin !== null) return READY_FOR_QUERY_IN_TRANSACTION;
    return this.server !== null ? readyForQueryFrame(this.tracker.status) : READY_FOR_QUERY_IDLE;
  }

  // ---- session tracking (transaction / statement mode) ----------------------------------------

  /** Notes the frame's session effects; true when it was dealt with here (answered or replaced). */
  private trackClientFrame(st: SessionTracking, code: number, buf: Buffer, start: number, end: number): boolean {
    const t = this.tracker;
    switch (code) {
      case QUERY: {
        const d = st.query(buf, start, end, t.outstanding, t.status);
        st.endQuery();
        if (d.kind === 'answer') {
          this.host.framer.consume();
          this.replies.send(this.host.clientWriter, d.frames, t.outstanding > 0);
          return true;
        }
        if (d.kind === 'replace') {
          this.host.framer.consume();
          const frame = queryMessage(d.sql);
          if (st.ps !== null) {
            if (this.serverWriter !== null) st.ps.classify(QUERY, frame, 0, frame.length);
            else this.unclassified = true;
          }
          this.count(QUERY);
          this.onClientRun(frame, 0, frame.length);
          return true;
        }
        break;
      }
      case PARSE:
        st.parse(buf, start, end);
        break;
      case BIND:
        st.bind(buf, start, end);
        break;
      case EXECUTE:
        st.execute(t.outstanding, t.status);
        break;
      case SYNC:
        st.sync(t.outstanding, t.status);
        break;
    }
    const ps = st.ps;
    if (ps === null) return false;
    const writer = this.serverWriter;
    if (writer === null) {
      this.unclassified = true;
      return false;
    }
    if (!ps.classify(code, buf, start, end)) return false;
    this.host.framer.consume();
    ps.rewrite(code, buf, start, end, st.ctx.registry.for(this.server as ServerPort), writer, this.host.clientWriter, t.outstanding);
    this.count(code);
    return true;
  }

  /**
   * Writes frames that were dispatched with no server attached (the tracker has counted them),
   * classifying each now that the server is known: named-statement frames are rewritten for it.
   * `later`: requests (Query / Sync) in frames still to be written after these.
   */
  private writeClassified(writer: SocketWriter, buf: Buffer, start: number, end: number, later: number): void {
    const st = this.st as SessionTracking;
    const ps = st.ps as PreparedStatements;
    const out = this.host.clientWriter;
    let from = start;
    for (let p = start; p < end; ) {
      const code = buf[p];
      const frameEnd = p + 1 + buf.readInt32BE(p + 1);
      if (ps.classify(code, buf, p, frameEnd)) {
        if (p > from) writer.write(buf.subarray(from, p));
        // ReadyForQuery awaited ahead of this frame's: those of requests before it.
        const before = this.tracker.outstanding - later - countRequests(buf, p, end);
        ps.rewrite(code, buf, p, frameEnd, st.ctx.registry.for(this.server as ServerPort), writer, out, before > 0 ? before : 0);
        from = frameEnd;
      }
      p = frameEnd;
    }
    if (from < end) writer.write(from === start && start === 0 && end === buf.length ? buf : buf.subarray(from, end));
  }

  /** Answers to the parameter sync: swallowed; its end hands the server to the client's frames. */
  private syncAnswer(code: number, buf: Buffer, start: number, end: number): void {
    const server = this.server as ServerPort;
    server.consumeCurrentFrame();
    if (code === ERROR_RESPONSE && this.syncError === null) this.syncError = Buffer.from(buf.subarray(start, end));
    const outcome = (this.syncing as SyncResponse).onServerFrame(code);
    if (outcome === SyncOutcome.Swallow) return;
    const plan = this.syncingPlan as SyncPlan;
    const error = this.syncError;
    this.syncing = null;
    this.syncingPlan = null;
    this.syncError = null;
    if (outcome === SyncOutcome.Done) {
      plan.applied();
      return;
    }
    // The client's parameters cannot be set (a startup value the server refuses): its requests
    // fail with the server's error, and the connection, in an unknown state, is closed.
    const lease = this.lease as LeasePort;
    this.lease = null;
    this.server = null;
    this.target = null;
    this.releaseAfterRun = false;
    this.detachServerWriter(false);
    this.host.clientWriter.setPeer(null);
    lease.release('broken');
    if (!this.closed) this.answerLocally(error ?? this.replies.error({ severity: 'ERROR', sqlstate: SqlState.ConnectionFailure, message: 'pgdog: could not set the session parameters' }));
  }

  // ---- routed mode ---------------------------------------------------------------------------

  /** Routes a Query or Parse; true when the frame was dealt with here (answered, refused or held). */
  private routeStatement(router: QueryRouter, code: number, buf: Buffer, start: number, end: number): boolean {
    const multi = this.multi;
    const tx = { inTransaction: multi !== null ? multi.inTransaction : this.server !== null && this.tracker.status !== TransactionStatus.Idle, beginHeld: this.heldBegin !== null };
    let d: RouteDecision;
    if (code === QUERY) {
      const sql = readQuery(buf, start, end);
      d = router.query(sql, tx);
      // BEGIN ISOLATION LEVEL ... / READ ONLY: shards the transaction reaches later open it alike.
      if (router.multiShard && d.kind === 'run' && router.beginsTransaction(sql)) this.lastBegin = Buffer.from(buf.subarray(start, end));
    } else {
      const p = readParse(buf, start, end);
      d = router.parse(p.statement, p.query, tx);
    }
    switch (d.kind) {
      case 'run':
        if (multi !== null) return this.toMulti(code, buf, start, end, d.multi ?? { shards: [d.target.shard], plan: null, texts: null, replicated: false }, d.target.role);
        if (d.multi !== null && this.toMulti(code, buf, start, end, d.multi, d.target.role)) return true;
        return this.place(d.target, code, buf, start, end);
      case 'at_bind':
        // The key is a parameter: the Bind that follows sets the target.
        return false;
      case 'blocked':
        this.answerHere(code, this.replies.error({ severity: 'ERROR', sqlstate: d.sqlstate, message: d.message }), null);
        return true;
      case 'hold_begin':
        this.answerHere(code, this.replies.commandComplete('BEGIN'), READY_FOR_QUERY_IN_TRANSACTION);
        this.heldBegin = Buffer.from(buf.subarray(start, end));
        return true;
      case 'end_held':
        this.heldBegin = null;
        this.answerHere(code, this.replies.commandComplete(d.tag), READY_FOR_QUERY_IDLE);
        return true;
      case 'load_columns':
        if (this.server !== null || this.multi !== null || this.checkingOut || this.pending.length > 0) {
          // Inside a transaction a lookup on another connection would miss the transaction's own
          // DDL: the INSERT is refused (route() says why) rather than placed by a guess.
          router.provideColumns(d.table, null);
          const again = this.routeStatement(router, code, buf, start, end);
          router.forgetColumns();
          return again;
        }
        this.held = [];
        this.host.pauseClient(PauseReason.Routing);
        this.hold(code, buf, start, end);
        this.lookUpColumns(router, d.table);
        return true;
    }
  }

  /**
   * A routed frame that wants `wanted`: the transaction's first sets the target; a later one the
   * chosen server cannot run waits (with all after it) for that server's release, unless a
   * transaction or an unsynced batch ties it to that server.
   */
  private place(wanted: Target, code: number, buf: Buffer, start: number, end: number): boolean {
    const current = this.target;
    if (current === null) {
      this.target = wanted;
      return false;
    }
    if (serves(current, wanted)) return false;
    // A pinned client's session lives on its server: everything runs there.
    if (this.server !== null && this.st !== null && this.st.pinned !== null) return false;
    if (this.server === null && !this.checkingOut && this.pending.length === 0 && current.shard === wanted.shard) {
      // Nothing checked out yet (the earlier frames are in this run): the primary runs them all.
      this.target = wanted;
      return false;
    }
    // A transaction that reaches another shard: each shard gets its own server (multi-shard.ts).
    if (code === QUERY && this.server !== null && this.tracker.status !== TransactionStatus.Idle && current.shard !== wanted.shard && this.toMulti(code, buf, start, end, { shards: [wanted.shard], plan: null, texts: null, replicated: false }, wanted.role)) return true;
    if (this.server !== null && (this.tracker.status !== TransactionStatus.Idle || this.tracker.unsynced > 0)) return false;
    if (this.server === null && this.tracker.unsynced > 0) return false;
    this.held = [];
    this.host.pauseClient(PauseReason.Routing);
    this.hold(code, buf, start, end);
    return true;
  }

  private hold(_code: number, buf: Buffer, start: number, end: number): void {
    this.host.framer.consume();
    (this.held as Buffer[]).push(Buffer.from(buf.subarray(start, end)));
  }

  /** The server that made frames wait is gone (or stays for a transaction): they go through again. */
  private replayHeld(): void {
    const frames = this.held as Buffer[];
    this.held = null;
    if (frames.length > 0) this.host.replay(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    if (this.held === null) this.host.resumeClient(PauseReason.Routing);
  }

  /**
   * A simple Query for several shards (or for another shard inside a transaction) goes to
   * MultiShard, once nothing of the client's is in flight; false when it cannot (extended
   * protocol, a session kept on one server): the caller runs it on one server as before.
   */
  private toMulti(code: number, buf: Buffer, start: number, end: number, m: MultiRoute, role: Target['role']): boolean {
    if (code !== QUERY || this.opts.mode === PoolMode.Session || (this.st !== null && this.st.pinned !== null) || this.tracker.unsynced > 0) return false;
    if (this.checkingOut || this.pending.length > 0 || this.tracker.outstanding > 0 || this.syncing !== null || this.swallowBegin) {
      // What is in flight finishes first; this frame (and all after it) is replayed then.
      this.held = [];
      this.host.pauseClient(PauseReason.Routing);
      this.hold(code, buf, start, end);
      return true;
    }
    this.host.framer.consume();
    const frame = Buffer.from(buf.subarray(start, end));
    // Later frames wait for this statement's answer.
    this.held = [];
    this.host.pauseClient(PauseReason.Routing);
    let multi = this.multi;
    if (multi === null) multi = this.multi = new MultiShard(this.multiHost);
    this.handOver(multi);
    this.multiBusy = true;
    if (m.copy !== undefined) {
      // Sharded COPY: pgdog drives it (sharded-copy.ts); COPY FROM takes the client's copy frames while it runs.
      this.copyIn = startShardedCopy(multi, frame, m.copy, m.shards, role, this.host, { done: (status) => this.copyDone(status), closed: () => this.closed });
      return true;
    }
    const tag = multi.inTransaction ? (this.router as QueryRouter).transactionEnd(readQuery(frame, 0, frame.length)) : null;
    if (tag !== null) multi.end(frame, tag, new SummedResults());
    // A merged SELECT runs the plan's text (it may add columns for the merge) on every shard.
    else multi.run(m.plan !== null ? queryMessage(m.plan.shardSql) : m.texts === null ? frame : m.texts.map(queryMessage), m.shards, role, m.plan !== null ? new MergedResults(m.plan) : new SummedResults(m.replicated));
    return true;
  }

  private copyDone(status: number): void {
    this.copyIn = null;
    this.multiDone(status);
  }

  /** MultiShard answered a statement: out of a transaction its servers go back to the pool. */
  private multiDone(status: number): void {
    this.multiBusy = false;
    if (this.closed) return;
    const multi = this.multi as MultiShard;
    if (status === TransactionStatus.Idle) {
      multi.releaseAll('clean');
      this.multi = null;
      this.tracker.status = TransactionStatus.Idle;
      // Portals do not outlive their transaction.
      this.batchState?.portals.clear();
    }
    this.replayHeld();
    if (this.held !== null || this.multiBusy) return;
    if (this.multi === null) this.host.idle();
    else this.host.idleInTransaction();
  }

  /** Sharded database: extended-protocol frames are kept until Sync (or Flush), then planned. */
  private collect(router: QueryRouter, code: number, buf: Buffer, start: number, end: number): void {
    this.host.framer.consume();
    const frames = (this.batchFrames ??= []);
    frames.push(Buffer.from(buf.subarray(start, end)));
    this.batchBytes += end - start;
    if (code === PARSE) router.noteParse(readParse(buf, start, end).query);
    else if (code === CLOSE && buf[start + 5] === STATEMENT_TARGET && end - start > 6) {
      // The single-server path's statement names must forget it too (a later Parse of the name there
      // would otherwise be refused as a duplicate).
      this.st?.ps?.client.delete(statementKeyFromBytes(buf, start + 6, end - 1));
    }
    if (code === SYNC || code === FLUSH) {
      this.batchBytes = 0;
      this.runBatch(router);
    } else if (frames.length > BATCH_MAX_FRAMES || this.batchBytes > BATCH_MAX_BYTES) {
      this.batchFrames = null;
      this.host.fail({ sqlstate: SqlState.ProgramLimitExceeded, message: `pgdog: an extended-protocol batch without Sync exceeded ${BATCH_MAX_FRAMES} messages or ${BATCH_MAX_BYTES} bytes` });
    }
  }

  /**
   * Work moves to MultiShard: a transaction begun on the single-server path continues on that
   * server (shards enlisted later open theirs as the client's BEGIN did); an idle server goes back.
   */
  private handOver(multi: MultiShard): void {
    const lease = this.lease;
    if (lease !== null) {
      const shard = this.target?.shard ?? 0;
      const status = this.tracker.status;
      this.lease = null;
      this.server = null;
      this.target = null;
      this.detachServerWriter(true);
      this.host.clientWriter.setPeer(null);
      lease.server.detach();
      if (status === TransactionStatus.Idle) lease.release('clean');
      else {
        multi.adopt(shard, lease, status);
        if (this.lastBegin !== null) multi.beginWith(this.lastBegin);
      }
    }
    if (this.heldBegin !== null) {
      multi.openWith(this.heldBegin);
      this.heldBegin = null;
    }
  }

  /**
   * An INSERT without a column list into a sharded table: the table's column order is read on shard
   * 0 (every time: a cached order could be stale after a schema change and place rows wrongly),
   * then the held frames are routed again with it.
   */
  private lookUpColumns(router: QueryRouter, table: TableName): void {
    const done = (columns: readonly string[] | null): void => {
      if (this.closed) return;
      router.provideColumns(table, columns);
      if (this.held !== null) this.replayHeld();
      router.forgetColumns();
    };
    this.pool.checkout({ timeoutMs: this.opts.checkoutTimeoutMs }, PRIMARY_SHARD_0).then(
      (lease) => lease.server.runInternal(columnsQuery(table), COLUMNS_LOOKUP_TIMEOUT_MS).then(
        (result) => {
          lease.release('clean');
          done(columnsOf(result.rows)?.map((c) => c.name) ?? null);
        },
        () => {
          lease.release('broken');
          done(null);
        },
      ),
      () => done(null),
    );
  }

  /** One batch on the shards its Executes route to, answered as one database would. */
  private runBatch(router: QueryRouter): void {
    const frames = this.batchFrames as Buffer[];
    this.batchFrames = null;
    if (this.held !== null || this.checkingOut || this.pending.length > 0 || this.tracker.outstanding > 0 || this.syncing !== null || this.swallowBegin || this.multiBusy) {
      // What is in flight finishes first; the batch is replayed (and collected again) then.
      this.held = this.held ?? [];
      this.held.push(...frames);
      this.host.pauseClient(PauseReason.Routing);
      return;
    }
    // Where the client's transaction stands: on MultiShard, or on the single-server path's server.
    const multi = this.multi;
    const single = multi === null && this.lease !== null && this.tracker.status !== TransactionStatus.Idle;
    const inTransaction = multi !== null ? multi.inTransaction : single || this.heldBegin !== null;
    const failed = multi !== null ? multi.status === TransactionStatus.Failed : single && this.tracker.status === TransactionStatus.Failed;
    const tx = { inTransaction, beginHeld: false };
    const routing = {
      route: (sql: string, bind: BindMessage) => router.routeBound(sql, bind, tx),
      enlisted: multi !== null ? (multi.inTransaction ? multi.shards : []) : single ? [this.target?.shard ?? 0] : [],
      failed,
      anyShard: 0,
    };
    const state = (this.batchState ??= new BatchState());
    let plan = planBatch(frames, state, routing);
    if (plan.needsColumns !== null) {
      if (!inTransaction) {
        // Looked up first (see lookUpColumns); the batch comes back through collect() then.
        this.held = [...frames];
        this.host.pauseClient(PauseReason.Routing);
        this.lookUpColumns(router, plan.needsColumns);
        return;
      }
      router.provideColumns(plan.needsColumns, null);
      plan = planBatch(frames, state, routing);
      router.forgetColumns();
    }
    if (multi === null && this.runDirect(plan, frames)) return;
    const m = multi ?? (this.multi = new MultiShard(this.multiHost));
    this.handOver(m);
    this.held = [];
    this.host.pauseClient(PauseReason.Routing);
    this.multiBusy = true;
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
    const wanted = target(plan.shards[0]!, plan.primary ? 'primary' : 'replica');
    if (this.lease !== null) {
      if (this.target === null || !serves(this.target, wanted)) return false;
    } else this.target = wanted;
    this.batchDirect = true;
    try {
      this.host.replay(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    } finally {
      this.batchDirect = false;
    }
    return true;
  }

  /** Extended protocol inside a transaction over several shards is not served yet. */
  private refuseInMulti(multi: MultiShard, code: number): void {
    this.host.framer.consume();
    const out = this.host.clientWriter;
    if (code === SYNC) {
      out.write(this.localReadyForQuery());
      return;
    }
    if (ANSWERLESS[code] === 1) return;
    if (multi.status === TransactionStatus.InTransaction) multi.status = TransactionStatus.Failed;
    out.write(this.replies.error({ severity: 'ERROR', sqlstate: SqlState.FeatureNotSupported, message: 'pgdog: extended protocol inside a transaction that spans several shards is not supported yet' }));
    if (code === FUNCTION_CALL) out.write(this.localReadyForQuery());
    else this.skipUntilSync = true;
  }

  /** A statement answered by pgdog: its reply (and for a Query, a ReadyForQuery), after the server's. */
  private answerHere(code: number, reply: Buffer, ready: Buffer | null): void {
    this.host.framer.consume();
    const wait = this.server !== null && this.tracker.outstanding > 0;
    const out = this.host.clientWriter;
    this.replies.send(out, reply, wait);
    if (code === QUERY) this.replies.send(out, ready ?? this.localReadyForQuery(), wait);
    else this.skipUntilSync = true;
  }

  /** CommandComplete and ReadyForQuery of a held BEGIN are not for the client; anything else is. */
  private swallowBeginAnswer(code: number, buf: Buffer, start: number): boolean {
    if (code !== COMMAND_COMPLETE && code !== READY_FOR_QUERY) return false;
    (this.server as ServerPort).consumeCurrentFrame();
    if (code === READY_FOR_QUERY) {
      this.swallowBegin = false;
      this.tracker.server(code, buf[start + 5]);
    }
    return true;
  }

  private armQueryTimer(): void {
    if (this.queryTimer === null) this.queryTimer = setTimeout(() => this.onQueryTimeout(), this.opts.queryTimeoutMs!);
    else this.queryTimer.refresh();
  }

  private disarmQueryTimer(): void {
    if (this.queryTimer === null) return;
    clearTimeout(this.queryTimer);
    this.queryTimer = null;
  }

  private onQueryTimeout(): void {
    this.queryTimer = null;
    if (this.server === null || this.tracker.outstanding === 0) return;
    this.host.warn('query_timeout reached, cancelling the query', { timeoutMs: this.opts.queryTimeoutMs });
    this.cancelRunningQuery();
    // PostgreSQL drops a cancel that arrives before the backend has started the query (a busy
    // server may not have read it yet), so while the request is still running, cancel again.
    this.queryTimer = setTimeout(() => this.onQueryTimeout(), this.opts.queryTimeoutMs!);
  }
}

/** Query, Sync and FunctionCall frames in a run of complete frames: each gets one ReadyForQuery. */
function countRequests(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let p = start; p < end; p += 1 + buf.readInt32BE(p + 1)) {
    const code = buf[p];
    if (code === QUERY || code === SYNC || code === FUNCTION_CALL) n++;
  }
  return n;
}
