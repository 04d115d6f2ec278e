import { FrontendCode, BackendCode } from '../protocol/codes.js';
import { READY_FOR_QUERY_IDLE, READY_FOR_QUERY_IN_TRANSACTION } from '../protocol/constants.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { readParse } from '../protocol/frontend/parse.js';
import { readQuery } from '../protocol/frontend/query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { readyForQueryFrame } from './local-replies.js';
import { opensTransactionBlock } from './statement-guard.js';
import { PauseReason } from './forwarder-host.js';
import type { ServerPort } from './server-port.js';
import type { QueryRouter, RouteDecision } from './query-router.js';
import { serves, type Target } from '../balance/target.js';
import { ShardedPath, type SingleServerPath } from './sharded-path.js';
import { lookUpColumns } from './column-lookup.js';
import type { TableName } from '@pgdog/compiler';
import { SessionFrames } from './session-frames.js';

const QUERY = FrontendCode.Query;
const SYNC = FrontendCode.Sync;
const TERMINATE = FrontendCode.Terminate;
const COMMAND_COMPLETE = BackendCode.CommandComplete;
const READY_FOR_QUERY = BackendCode.ReadyForQuery;

/** Routed mode: where each statement runs, frames held for another server, and the sharded path's view. */
export abstract class RoutedMode extends SessionFrames {
  /** Routes a Query or Parse; true when the frame was dealt with here (answered, refused or held). */
  protected routeStatement(router: QueryRouter, code: number, buf: Buffer, start: number, end: number): boolean {
    const sharded = this.sharded;
    const multi = sharded === null ? null : sharded.multi;
    const tx = { inTransaction: multi !== null ? multi.inTransaction : this.server !== null && this.tracker.status !== TransactionStatus.Idle, beginHeld: this.heldBegin !== null };
    let d: RouteDecision;
    if (code === QUERY) {
      const sql = readQuery(buf, start, end);
      d = router.query(sql, tx);
      // BEGIN ISOLATION LEVEL ... / READ ONLY: shards the transaction reaches later open it alike.
      if (sharded !== null && d.kind === 'run' && router.beginsTransaction(sql)) sharded.noteBegin(buf, start, end);
    } else {
      const p = readParse(buf, start, end);
      d = router.parse(p.statement, p.query, tx);
    }
    switch (d.kind) {
      case 'run':
        // Several shards only exist with a sharded path.
        if (multi !== null) return (sharded as ShardedPath).toMulti(code, buf, start, end, d.multi ?? { shards: [d.target.shard], plan: null, texts: null, replicated: false }, d.target.role);
        if (d.multi !== null && (sharded as ShardedPath).toMulti(code, buf, start, end, d.multi, d.target.role)) return true;
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
        if (this.server !== null || multi !== null || this.checkingOut || this.pending.length > 0) {
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
        this.lookUpColumns(d.table);
        return true;
    }
  }

  /**
   * A routed frame that wants `wanted`: the transaction's first sets the target; a later one the
   * chosen server cannot run waits (with all after it) for that server's release, unless a
   * transaction or an unsynced batch ties it to that server.
   */
  protected place(wanted: Target, code: number, buf: Buffer, start: number, end: number): boolean {
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
    if (code === QUERY && this.server !== null && this.tracker.status !== TransactionStatus.Idle && current.shard !== wanted.shard && this.sharded !== null && this.sharded.toMulti(code, buf, start, end, { shards: [wanted.shard], plan: null, texts: null, replicated: false }, wanted.role)) return true;
    if (this.server !== null && (this.tracker.status !== TransactionStatus.Idle || this.tracker.unsynced > 0)) return false;
    if (this.server === null && this.tracker.unsynced > 0) return false;
    this.held = [];
    this.host.pauseClient(PauseReason.Routing);
    this.hold(code, buf, start, end);
    return true;
  }

  protected hold(_code: number, buf: Buffer, start: number, end: number): void {
    this.host.framer.consume();
    (this.held as Buffer[]).push(Buffer.from(buf.subarray(start, end)));
  }

  /** The server that made frames wait is gone (or stays for a transaction): they go through again. */
  protected replayHeld(): void {
    const frames = this.held as Buffer[];
    this.held = null;
    if (frames.length > 0) this.host.replay(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    if (this.held === null) this.host.resumeClient(PauseReason.Routing);
  }

  /**
   * An INSERT without a column list into a sharded table: the table's column order is read on shard
   * 0 (every time: a cached order could be stale after a schema change and place rows wrongly),
   * then the held frames are routed again with it.
   */
  protected lookUpColumns(table: TableName): void {
    const router = this.router as QueryRouter;
    lookUpColumns(this.pool, this.opts.checkoutTimeoutMs, table, (columns) => {
      if (this.closed) return;
      router.provideColumns(table, columns);
      if (this.held !== null) this.replayHeld();
      router.forgetColumns();
    });
  }

  /** The sharded path's view of this one: built once, for sharded databases only. */
  protected singleServerPath(): SingleServerPath {
    return {
      inFlight: () => this.checkingOut || this.pending.length > 0 || this.tracker.outstanding > 0 || this.syncing !== null || this.swallowBegin,
      holding: () => this.held !== null,
      closed: () => this.closed,
      attached: () => this.lease !== null,
      beginHeld: () => this.heldBegin !== null,
      shard: () => this.target?.shard ?? 0,
      waitWith: (frames) => {
        const held = (this.held ??= []);
        for (let i = 0; i < frames.length; i++) held.push(frames[i]!);
        this.host.pauseClient(PauseReason.Routing);
      },
      replayHeld: () => this.replayHeld(),
      skipToSync: () => {
        this.skipUntilSync = true;
      },
      detachServer: () => {
        const lease = this.lease;
        if (lease === null) return null;
        this.lease = null;
        this.server = null;
        this.target = null;
        this.detachServerWriter(true);
        this.host.clientWriter.setPeer(null);
        lease.server.detach();
        return lease;
      },
      takeHeldBegin: () => {
        const begin = this.heldBegin;
        this.heldBegin = null;
        return begin;
      },
      lookUpColumns: (table) => this.lookUpColumns(table),
      takeDirect: (wanted, syncEnd) => {
        if (!this.directOn(wanted)) return false;
        this.batchDirect = true;
        this.aheadEnd = syncEnd;
        this.aheadFramer = this.host.framer;
        return true;
      },
      replayDirect: (wanted, frames) => {
        if (!this.directOn(wanted)) return false;
        this.batchDirect = true;
        try {
          this.host.replay(frames.length === 1 ? frames[0]! : Buffer.concat(frames as Buffer[]));
        } finally {
          this.batchDirect = false;
        }
        return true;
      },
    };
  }

  /** A batch for `wanted` may run on the single-server path: its target, unless a server for another is attached. */
  private directOn(wanted: Target): boolean {
    if (this.lease !== null) return this.target !== null && serves(this.target, wanted);
    this.target = wanted;
    return true;
  }

  get aheadOpen(): boolean {
    return this.aheadFramer !== null;
  }

  /** A look-ahead batch's frames are over (its Sync went through, or the feed ended before it). */
  endLookahead(framer: object): void {
    if (this.aheadFramer !== framer) return;
    this.aheadEnd = -1;
    this.aheadFramer = null;
    this.batchDirect = false;
  }

  /** Statement mode: BEGIN / START TRANSACTION would keep a server past its statement. */
  protected refusesTransactionBlock(code: number, buf: Buffer, start: number, end: number): boolean {
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
  protected skipFrame(code: number): void {
    this.host.framer.consume();
    if (code === TERMINATE) this.host.terminate();
    else if (code === SYNC) {
      this.skipUntilSync = false;
      const attached = this.server !== null;
      this.replies.send(this.host.clientWriter, this.localReadyForQuery(), attached && this.tracker.outstanding > 0);
    }
  }

  /** The ReadyForQuery a local answer ends with: the server's status, or a held BEGIN's. */
  protected localReadyForQuery(): Buffer {
    const sharded = this.sharded;
    if (sharded !== null && sharded.multi !== null) return readyForQueryFrame(sharded.multi.status);
    if (this.heldBegin !== null) return READY_FOR_QUERY_IN_TRANSACTION;
    return this.server !== null ? readyForQueryFrame(this.tracker.status) : READY_FOR_QUERY_IDLE;
  }

  /** A statement answered by pgdog: its reply (and for a Query, a ReadyForQuery), after the server's. */
  protected answerHere(code: number, reply: Buffer, ready: Buffer | null): void {
    this.host.framer.consume();
    const wait = this.server !== null && this.tracker.outstanding > 0;
    const out = this.host.clientWriter;
    this.replies.send(out, reply, wait);
    if (code === QUERY) this.replies.send(out, ready ?? this.localReadyForQuery(), wait);
    else this.skipUntilSync = true;
  }

  /** CommandComplete and ReadyForQuery of a held BEGIN are not for the client; anything else is. */
  protected swallowBeginAnswer(code: number, buf: Buffer, start: number): boolean {
    if (code !== COMMAND_COMPLETE && code !== READY_FOR_QUERY) return false;
    (this.server as ServerPort).consumeCurrentFrame();
    if (code === READY_FOR_QUERY) {
      this.swallowBegin = false;
      this.tracker.server(code, buf[start + 5]);
    }
    return true;
  }
}
