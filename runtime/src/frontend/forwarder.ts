import { FrontendCode, BackendCode } from '../protocol/codes.js';
import { READY_FOR_QUERY_IDLE } from '../protocol/constants.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { socketWriterFor, type SocketWriter } from '../net/socket-writer.js';
import type { ServerError } from '../backend/server-error.js';
import { PauseReason, PoolMode } from './forwarder-host.js';
import type { LeasePort, PoolPort, ReleaseState, ServerPort, ServerSink } from './server-port.js';
import type { QueryRouter } from './query-router.js';
import { PRIMARY_SHARD_0, type Target } from '../balance/target.js';
import { ServerFrameAction } from '../prepared/index.js';
import { SyncResponse, syncPlan } from '../params/index.js';
import type { SessionTracking } from './session-tracking.js';
import { isExtendedFrame } from './extended-batch.js';
import { ANSWERLESS } from './answerless.js';
import { RoutedMode } from './routed-mode.js';
import { countRequests } from './session-frames.js';

const QUERY = FrontendCode.Query;
const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const READY_FOR_QUERY = BackendCode.ReadyForQuery;
const SYNC = FrontendCode.Sync;
const TERMINATE = FrontendCode.Terminate;

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
 *
 * The state lives in forwarder-state.ts; session tracking and routed mode are the layers below
 * (session-frames.ts, routed-mode.ts); work over several shards is sharded-path.ts.
 */
export class Forwarder extends RoutedMode implements ServerSink {
  /** Nothing would be lost by closing now: no request pending, no transaction open. */
  get isIdle(): boolean {
    return (
      !this.checkingOut &&
      this.pending.length === 0 &&
      this.tracker.idle &&
      this.held === null &&
      this.heldBegin === null &&
      (this.sharded === null || this.sharded.idle) &&
      (this.lease === null || this.opts.mode === PoolMode.Session)
    );
  }

  /** Waiting for the client inside an open transaction block (client_idle_in_transaction_timeout). */
  get idleInTransaction(): boolean {
    const t = this.tracker;
    if (this.held !== null || this.pending.length > 0) return false;
    // A transaction over several shards holds a server on each of them.
    if (this.sharded !== null && this.sharded.idleInTransaction) return true;
    return this.server !== null && t.outstanding === 0 && t.unsynced === 0 && !t.inCopy && t.status !== TransactionStatus.Idle;
  }

  // ---- client -> server ----------------------------------------------------------------------

  onClientMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (end === this.aheadEnd && code === SYNC && this.host.framer === this.aheadFramer) {
      // The last frame of a batch taken by look-ahead: after it, frames are routed again.
      try {
        this.clientMessage(code, buf, start, end);
      } finally {
        this.endLookahead(this.aheadFramer);
      }
      return;
    }
    this.clientMessage(code, buf, start, end);
  }

  private clientMessage(code: number, buf: Buffer, start: number, end: number): void {
    const sharded = this.sharded;
    if (sharded !== null && sharded.copyFrame(code, buf, start, end)) return;
    if (this.held !== null) {
      this.hold(code, buf, start, end);
      return;
    }
    if (this.skipUntilSync) {
      this.skipFrame(code);
      return;
    }
    if (sharded !== null) {
      if (isExtendedFrame(code) && !this.batchDirect && this.opts.mode !== PoolMode.Session && (this.st === null || this.st.pinned === null)) {
        if (!sharded.lookahead(code, buf, start, end)) {
          sharded.collect(code, buf, start, end);
          return;
        }
      }
      if (sharded.multi !== null && code !== QUERY && code !== TERMINATE) {
        sharded.refuseInMulti(code);
        return;
      }
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
  protected count(code: number): void {
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
    this.sharded?.close();
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
    if (this.sharded !== null && this.sharded.cancel()) return;
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

  protected onLease(lease: LeasePort): void {
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

  protected onCheckoutError(err: unknown): void {
    this.checkingOut = false;
    if (this.closed) return;
    this.pending.length = 0;
    const failure = this.host.checkoutFailure(err);
    this.answerLocally(this.replies.error({ severity: 'ERROR', sqlstate: failure.sqlstate, message: failure.message }));
    this.host.resumeClient(PauseReason.Checkout);
  }

  /** As if a server had answered: the error, one ReadyForQuery per request, then skip to Sync. */
  protected answerLocally(error: Buffer | null): void {
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

  protected attach(lease: LeasePort): SocketWriter {
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
  protected detachServerWriter(flush: boolean): void {
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
