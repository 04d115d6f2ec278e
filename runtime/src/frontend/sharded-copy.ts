// `COPY table FROM STDIN` over several shards, driven by pgdog: the shards' servers (MultiShard's
// legs, so a client transaction enlists them like any statement) each run the COPY; the client
// gets one CopyInResponse, its rows are split by the sharding column (copy/CopySplitter) or, for
// an omnisharded table, sent to every shard; the end is one `COPY n` with the total.
//
// Nothing is kept by halves: outside a client transaction every shard's COPY runs inside a BEGIN
// that is committed only once every shard has taken all its rows (a shard failing its COMMIT after
// another committed is the one gap left; two-phase commit is later work). Inside one, the shards
// stay in it, failed on an error as PostgreSQL would be. A malformed row, the client's CopyFail, an
// error or a lost connection on any shard: CopyFail to every shard still copying, one
// ErrorResponse to the client (sent as soon as the shards have stopped, as PostgreSQL answers a
// failed COPY without waiting for the rest of the data; the client's late copy frames are then
// dropped like PostgreSQL drops them). While a shard's socket is full the client is not read.

import type { Target } from '../balance/target.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { FrontendCode } from '../protocol/codes.js';
import { SqlState } from '../protocol/sqlstate.js';
import { queryMessage } from '../backend/internal-query.js';
import type { ServerError } from '../backend/server-error.js';
import { CopyLeg, LegPhase, type CopyLegOwner } from './copy-leg.js';
import { CopySplitter } from '../copy/copy-splitter.js';
import { copyInPlan, needsTableColumns } from '../copy/copy-plan.js';
import { CopyOutResults } from './copy-out-results.js';
import type { CopyRoute } from './copy-route.js';
import { PauseReason, type ForwarderHost } from './forwarder-host.js';
import { readyForQueryFrame } from './local-replies.js';
import type { MultiShard } from './multi-shard.js';
import { commandCompleteFrame, errorFrame, sumTags } from './shard-results.js';
import { copyColumns } from './table-columns.js';

const BEGIN = queryMessage('BEGIN');
const COMMIT = queryMessage('COMMIT');
const ROLLBACK = queryMessage('ROLLBACK');
const COPY_DONE = Buffer.from([FrontendCode.CopyDone, 0, 0, 0, 4]);
/** A shard's rows go out once this many bytes wait (else at the end of the client's chunk). */
const FLUSH_BYTES = 64 * 1024;
const UNDEFINED_TABLE = '42P01';

export interface ShardedCopyCallbacks {
  /** The client was answered (ReadyForQuery sent) with this transaction status. */
  done(status: number): void;
  /** The client is gone: nothing more is sent or attached. */
  closed(): boolean;
}

/**
 * Starts a COPY the router sent to several shards. COPY TO is an ordinary multi-shard statement
 * (answers combined by CopyOutResults): null. COPY FROM: the ShardedCopy that takes the client's
 * copy frames while it runs.
 */
export function startShardedCopy(
  multi: MultiShard, frame: Buffer, route: CopyRoute, shards: readonly number[], role: Target['role'], host: ForwarderHost, callbacks: ShardedCopyCallbacks,
): ShardedCopy | null {
  if (route.info.direction === 'to') {
    multi.run(frame, shards, role, new CopyOutResults(route.info.format, route.info.header));
    return null;
  }
  const copy = new ShardedCopy(multi, frame, route, host, callbacks);
  copy.start(shards, role);
  return copy;
}

const enum State {
  /** Servers being checked out, the column order being looked up. */
  Acquiring,
  /** COPY sent to every shard; waiting for each CopyInResponse. */
  Opening,
  Streaming,
  /** CopyDone or CopyFail sent; waiting for each shard's ReadyForQuery. */
  Closing,
  /** COMMIT / ROLLBACK of pgdog's own transaction sent. */
  Ending,
  Done,
}

export class ShardedCopy implements CopyLegOwner {
  private state = State.Acquiring;
  private legs: CopyLeg[] = [];
  /** Null: every row goes to every shard (omnisharded table), or the COPY failed. */
  private splitter: CopySplitter | null = null;
  private broadcast = false;
  /** pgdog wraps each shard's COPY in its own transaction (the client has none open). */
  private wrap = false;
  /** The client's answer when the COPY fails (the first error: ours, or a shard's by shard order). */
  private failure: Buffer | null = null;
  /** The client has not ended its copy data (CopyDone / CopyFail) yet. */
  private clientOpen = true;
  /** Copy frames that arrived before every shard was ready. */
  private early: Buffer[] = [];
  private copyInResponse: Buffer | null = null;
  private fullLegs = 0;
  private flushQueued = false;
  private readonly flushBound = (): void => this.flushAll();

  constructor(
    private readonly multi: MultiShard, private readonly frame: Buffer, private readonly route: CopyRoute,
    private readonly host: ForwarderHost, private readonly callbacks: ShardedCopyCallbacks,
  ) {}

  /**
   * A client frame while the COPY runs: true when taken (copy data, CopyDone / CopyFail, and
   * Flush / Sync, which PostgreSQL ignores during COPY). False once the client's copy data has
   * ended: the forwarder holds or handles the frame as usual.
   */
  clientFrame(code: number, buf: Buffer, start: number, end: number): boolean {
    if (!this.clientOpen || this.state === State.Done) return false;
    this.host.framer.consume();
    if (this.state === State.Acquiring || this.state === State.Opening) {
      this.early.push(Buffer.from(buf.subarray(start, end)));
      return true;
    }
    this.onClientFrame(code, buf, start, end);
    return true;
  }

  start(shards: readonly number[], role: Target['role']): void {
    this.multi.acquire(shards, role).then(async (got) => {
      if (got === null || this.callbacks.closed()) {
        this.state = State.Done;
        return;
      }
      this.legs = got.legs.map((leg) => {
        leg.lease.server.detach();
        return new CopyLeg(leg, leg.lease.server, this);
      });
      const plan = await this.plan();
      if (this.callbacks.closed()) return;
      if (typeof plan === 'string' || Buffer.isBuffer(plan)) {
        this.failure = typeof plan === 'string' ? errorFrame(SqlState.FeatureNotSupported, plan) : plan;
        this.answer();
        return;
      }
      this.splitter = plan;
      this.broadcast = plan === null;
      this.wrap = !this.multi.inTransaction;
      this.state = State.Opening;
      for (const l of this.legs) {
        l.server.attach(l);
        const fresh = got.fresh.includes(l.leg);
        if (fresh && !this.wrap) {
          l.write(got.begin);
          l.skip++;
        }
        if (this.wrap) {
          l.write(BEGIN);
          l.skip++;
        }
        l.write(this.frame);
      }
    }).catch((err: unknown) => {
      // A bug, not a COPY outcome: the client still gets an answer.
      if (this.state === State.Done || this.callbacks.closed()) return;
      this.failure = errorFrame(SqlState.InternalError, `pgdog: sharded COPY failed: ${(err as Error).message}`);
      this.abort();
    });
  }

  /** The splitter (null: broadcast), or why the COPY cannot run (a message, or a server's error). */
  private async plan(): Promise<CopySplitter | null | string | Buffer> {
    const { info, db, columns } = this.route;
    let names: readonly string[] | null = info.columns;
    if (needsTableColumns(db, info)) {
      // Always asked afresh: a cached order that went stale would send rows to the wrong shard.
      const server = this.legs[0]!.server;
      try {
        const found = await columns.load(server, info.table!);
        names = found === null ? null : copyColumns(found);
      } catch (err) {
        const e = err as ServerError;
        return errorFrame(e.sqlstate ?? SqlState.ConnectionFailure, e.message);
      }
      if (names === null) return errorFrame(UNDEFINED_TABLE, `relation "${info.table!.schema === null ? '' : `${info.table!.schema}.`}${info.table!.name}" does not exist`);
    }
    const plan = copyInPlan(db, info, names);
    if (plan.kind === 'refuse') return plan.message;
    return plan.kind === 'broadcast' ? null : new CopySplitter(plan.options);
  }

  // ---- shards ---------------------------------------------------------------------------------

  legCopying(leg: CopyLeg, response: Buffer): void {
    this.copyInResponse ??= Buffer.from(response);
    if (this.failure !== null) {
      leg.write(copyFail('pgdog: COPY failed on another shard'));
      return;
    }
    if (this.state !== State.Opening || this.legs.some((l) => l.phase !== LegPhase.In)) return;
    this.state = State.Streaming;
    this.host.clientWriter.write(this.copyInResponse);
    this.host.resumeClient(PauseReason.Routing);
    const early = this.early;
    this.early = [];
    for (const f of early) {
      if (this.state !== State.Streaming) break;
      this.onClientFrame(f[0]!, f, 0, f.length);
    }
  }

  legSettled(leg: CopyLeg): void {
    if (this.state === State.Opening || this.state === State.Streaming || (this.state === State.Closing && this.failure === null && leg.error !== null)) {
      // A shard stopped before the end of the data (or failed at it): the COPY fails everywhere.
      this.fail(leg.error ?? errorFrame(SqlState.ConnectionFailure, `pgdog: shard ${leg.leg.shard} ended the COPY early`));
    }
    this.settleCheck();
  }

  legEnded(): void {
    if (this.legs.every((l) => l.phase === LegPhase.Ended || l.phase === LegPhase.Lost)) this.answer();
  }

  legDrained(): void {
    if (--this.fullLegs === 0) this.host.resumeClient(PauseReason.ServerFull);
  }

  // ---- client ---------------------------------------------------------------------------------

  private onClientFrame(code: number, buf: Buffer, start: number, end: number): void {
    if (code === FrontendCode.CopyData) {
      if (this.failure === null) this.data(buf, start, end);
    } else if (code === FrontendCode.CopyDone) {
      this.clientOpen = false;
      this.clientDone();
    } else if (code === FrontendCode.CopyFail) {
      this.clientOpen = false;
      const message = buf.toString('utf8', start + 5, Math.max(start + 5, end - 1));
      this.fail(errorFrame(SqlState.QueryCanceled, `COPY from stdin failed: ${message}`), message);
    } else if (code !== FrontendCode.Flush && code !== FrontendCode.Sync) {
      this.clientOpen = false;
      this.fail(errorFrame(SqlState.ProtocolViolation, `unexpected message type 0x${code.toString(16).padStart(2, '0')} during COPY from stdin`));
    }
  }

  private data(buf: Buffer, start: number, end: number): void {
    const s = this.splitter;
    if (this.broadcast || s === null) {
      // Omnisharded: the frame as it came, to every shard.
      const frame = Buffer.from(buf.subarray(start, end));
      for (const l of this.legs) this.send(l, frame);
      return;
    }
    s.push(buf.subarray(start + 5, end));
    if (s.error !== null) {
      this.fail(errorFrame(s.error.sqlstate, s.error.message));
      return;
    }
    for (let i = 0; i < this.legs.length; i++) {
      if (s.pendingBytes(i) >= FLUSH_BYTES) this.send(this.legs[i]!, s.takeFrame(i)!);
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushBound);
    }
  }

  private flushAll(): void {
    this.flushQueued = false;
    const s = this.splitter;
    if (s === null || this.state !== State.Streaming || this.failure !== null) return;
    for (let i = 0; i < this.legs.length; i++) {
      const f = s.takeFrame(i);
      if (f !== null) this.send(this.legs[i]!, f);
    }
  }

  private send(leg: CopyLeg, bytes: Buffer): void {
    if (leg.write(bytes) && this.fullLegs++ === 0) this.host.pauseClient(PauseReason.ServerFull);
  }

  private clientDone(): void {
    const s = this.splitter;
    if (s !== null && this.failure === null) {
      s.end();
      if (s.error !== null) {
        this.fail(errorFrame(s.error.sqlstate, s.error.message));
        return;
      }
      this.flushQueued = true; // the flush below is the last
      for (let i = 0; i < this.legs.length; i++) {
        const f = s.takeFrame(i);
        if (f !== null) this.send(this.legs[i]!, f);
      }
    }
    if (this.failure !== null) return;
    this.state = State.Closing;
    // Frames after the COPY wait (held by the forwarder) until it is answered.
    this.host.pauseClient(PauseReason.Routing);
    for (const l of this.legs) l.write(COPY_DONE);
  }

  // ---- the end --------------------------------------------------------------------------------

  /** The COPY fails: every shard still copying gets CopyFail; the client gets `error`. */
  private fail(error: Buffer, reason = 'pgdog: COPY failed'): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.splitter = null;
    if (this.state === State.Streaming) this.state = State.Closing;
    const frame = copyFail(reason);
    for (const l of this.legs) if (l.phase === LegPhase.In) l.write(frame);
  }

  /** Once no shard is copying: pgdog's transaction ends (COMMIT or ROLLBACK), or the client is answered. */
  private settleCheck(): void {
    if (this.state !== State.Closing && this.state !== State.Opening) return;
    if (this.legs.some((l) => l.phase === LegPhase.Before || l.phase === LegPhase.In)) return;
    if (this.failure === null) {
      const failed = this.legs.find((l) => l.error !== null || l.tag === null);
      if (failed !== undefined) this.failure = failed.error ?? errorFrame(SqlState.InternalError, `pgdog: shard ${failed.leg.shard} sent no COPY result`);
    }
    if (!this.wrap) {
      this.answer();
      return;
    }
    this.state = State.Ending;
    const end = this.failure === null ? COMMIT : ROLLBACK;
    for (const l of this.legs) {
      if (l.phase === LegPhase.Lost) continue;
      l.phase = LegPhase.Ending;
      l.error = null;
      l.write(end);
    }
    this.legEnded();
  }

  private abort(): void {
    for (const l of this.legs) if (l.phase === LegPhase.In) l.write(copyFail('pgdog: COPY aborted'));
    this.answer();
  }

  /** Puts each leg's own sink back and gives the client its one answer and ReadyForQuery. */
  private answer(): void {
    if (this.state === State.Done) return;
    if (this.state === State.Ending && this.failure === null) {
      // A COMMIT that failed (the others may have committed: see the note at the top).
      const failed = this.legs.find((l) => l.error !== null || l.phase === LegPhase.Lost);
      if (failed !== undefined) this.failure = failed.error;
    }
    this.state = State.Done;
    if (this.fullLegs > 0) {
      this.fullLegs = 0;
      this.host.resumeClient(PauseReason.ServerFull);
    }
    let status: number = this.wrap ? TransactionStatus.Idle : this.multi.status;
    for (const l of this.legs) {
      const leg = l.leg;
      if (l.phase === LegPhase.Lost) {
        leg.broken = true;
        leg.status = TransactionStatus.Failed;
      } else {
        leg.status = l.status;
        l.server.detach();
        if (!this.callbacks.closed()) l.server.attach(leg);
      }
      if (leg.status === TransactionStatus.Failed && !this.wrap) status = TransactionStatus.Failed;
    }
    this.multi.status = status;
    if (this.callbacks.closed()) return;
    const reply = this.failure ?? commandCompleteFrame(this.total());
    this.host.clientWriter.write(Buffer.concat([reply, readyForQueryFrame(status)]));
    this.callbacks.done(status);
  }

  /** `COPY n`: summed over the shards, or one shard's count when each got every row. */
  private total(): string {
    const tags = this.legs.map((l) => l.tag ?? 'COPY 0');
    return this.broadcast ? tags[0]! : sumTags(tags);
  }
}

function copyFail(message: string): Buffer {
  const text = Buffer.from(`${message}\0`, 'utf8');
  const frame = Buffer.allocUnsafe(5 + text.length);
  frame[0] = FrontendCode.CopyFail;
  frame.writeInt32BE(4 + text.length, 1);
  text.copy(frame, 5);
  return frame;
}
