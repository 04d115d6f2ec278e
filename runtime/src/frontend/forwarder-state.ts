import type { SocketWriter } from '../net/socket-writer.js';
import { PoolMode, type ForwarderHost, type ForwarderOptions } from './forwarder-host.js';
import { LocalReplies } from './local-replies.js';
import type { LeasePort, PoolPort, ReleaseState, ServerPort } from './server-port.js';
import { TransactionTracker } from './transaction-tracker.js';
import type { QueryRouter } from './query-router.js';
import type { Target } from '../balance/target.js';
import { SyncResponse, type SyncPlan } from '../params/index.js';
import type { SessionTracking } from './session-tracking.js';
import { ShardedPath, type SingleServerPath } from './sharded-path.js';

/**
 * The state one client's forwarding works on, shared by the layers that make up the Forwarder:
 * session-frames.ts (named statements, session parameters), routed-mode.ts (targets, held frames,
 * the sharded path's view) and forwarder.ts (the hot path, checkout and release).
 */
export abstract class ForwarderState {
  protected readonly host: ForwarderHost;
  protected readonly pool: PoolPort;
  protected readonly opts: ForwarderOptions;
  protected readonly tracker: TransactionTracker;
  protected readonly replies: LocalReplies;
  protected lease: LeasePort | null;
  protected server: ServerPort | null;
  protected serverWriter: SocketWriter | null;
  /** Copies of runs received while no server was attached. */
  protected readonly pending: Buffer[];
  protected checkingOut: boolean;
  protected releaseAfterRun: boolean;
  /** After a locally refused or failed extended-protocol batch, frames are dropped up to Sync. */
  protected skipUntilSync: boolean;
  protected cancelsInFlight: number;
  /** A release waiting for an in-flight cancel (so the cancel cannot hit the server's next user). */
  protected releaseAfterCancel: ReleaseState | null;
  protected queryTimer: NodeJS.Timeout | null;
  protected closed: boolean;
  protected readonly onLeaseBound: (lease: LeasePort) => void;
  protected readonly onCheckoutErrorBound: (err: unknown) => void;
  /** Routed mode only (null: one host, frames are never looked into). */
  protected readonly router: QueryRouter | null;
  /** Where the current transaction runs, once its first statement is routed; null before. */
  protected target: Target | null;
  /** Frames waiting for the attached server to be released (they need another target). */
  protected held: Buffer[] | null;
  /** Aggressive strategy: a BEGIN answered locally, sent ahead of the transaction's first statement. */
  protected heldBegin: Buffer | null;
  /** The server's answers to a held BEGIN are being swallowed (the client had its answer). */
  protected swallowBegin: boolean;
  /**
   * Named statements, session parameters and pinning (see session-tracking.ts); null: none of it.
   * Session mode has one only to bring its server to the client's startup parameters.
   */
  protected readonly st: SessionTracking | null;
  /** Transaction / statement mode with tracking: client frames are looked at. */
  protected readonly tracks: boolean;
  /** Frames were dispatched with no server attached: their run is classified when written. */
  protected unclassified: boolean;
  /** The attached server is being brought to the client's parameters; its answers are not the client's. */
  protected syncing: SyncResponse | null;
  protected syncingPlan: SyncPlan | null;
  protected syncError: Buffer | null;
  /** Sharded database only: work over several shards, and extended-protocol batches (sharded-path.ts). */
  protected readonly sharded: ShardedPath | null;
  /** A planned batch is replayed on the single-server path: its frames are not collected or routed again. */
  protected batchDirect = false;
  /**
   * A batch taken by look-ahead (ShardedPath.lookahead) runs on the single-server path from the
   * client's own read: batchDirect holds until its Sync, which ends at `aheadEnd` of the framer
   * `aheadFramer` is dispatching. -1: no such batch.
   */
  protected aheadEnd = -1;
  protected aheadFramer: object | null = null;

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
    this.sharded = router !== null && router.multiShard ? new ShardedPath(this.singleServerPath(), host, pool, opts, router, this.tracker, this.replies, tracking) : null;
    if (lease !== null) this.attach(lease);
  }

  protected abstract attach(lease: LeasePort): SocketWriter;
  protected abstract onLease(lease: LeasePort): void;
  protected abstract onCheckoutError(err: unknown): void;
  protected abstract singleServerPath(): SingleServerPath;
  protected abstract count(code: number): void;
  abstract onClientRun(buf: Buffer, start: number, end: number): void;
  protected abstract answerLocally(error: Buffer | null): void;
  protected abstract detachServerWriter(flush: boolean): void;
  protected abstract localReadyForQuery(): Buffer;
}
