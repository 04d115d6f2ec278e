// One client's statements that run on several shards (routed mode, simple protocol): one server
// connection per shard, checked out concurrently and held for the client's transaction. Each
// statement goes to every shard involved at once; the answers are combined into what one database
// would have said (results.ts: summed row counts or the cross-shard merge) with one ReadyForQuery.
// The forwarder hands a statement here only when nothing of the client's is in flight, and keeps
// the client's later frames held until done() is called.

import { BackendCode } from '../protocol/codes.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { queryMessage } from '../backend/internal-query.js';
import type { ServerError } from '../backend/server-error.js';
import { target, type Target } from '../balance/target.js';
import type { CheckoutFailure, LeasePort, PoolPort, ServerSink } from './server-port.js';
import { commandCompleteFrame, errorFrame, type ShardResults } from './shard-results.js';
import { BoundedResults } from './bounded-results.js';
import { readyForQueryFrame } from './local-replies.js';
import { socketWriterFor, type Pausable } from '../net/socket-writer.js';
import { LegGroup } from './leg-group.js';

const READY_FOR_QUERY = BackendCode.ReadyForQuery;
const ERROR_RESPONSE = BackendCode.ErrorResponse;
const BEGIN = queryMessage('BEGIN');
const NOTHING = (): void => {};
const ROLLBACK = queryMessage('ROLLBACK');

export interface MultiShardHost {
  readonly pool: PoolPort;
  readonly checkoutTimeoutMs: number;
  /** Bytes for the client. */
  send(bytes: Buffer): void;
  checkoutFailure(err: unknown): CheckoutFailure;
  /** The statement is answered (ReadyForQuery sent) with this combined transaction status. */
  done(status: number): void;
  /** What brings a freshly checked-out server to the client's session parameters; null: nothing. */
  setup(server: LeasePort['server']): { frame: Buffer; applied(): void } | null;
  /** Bytes of shard answers one statement may hold before it is cancelled (0: no limit). */
  readonly resultLimit: number;
  /** Sends a CancelRequest for what `server` runs. */
  cancelOn(server: LeasePort['server']): Promise<void>;
  /** While answers stream to the client: what to pause when the client's socket is full (null: none). */
  setClientPeer(peer: Pausable | null): void;
}

export interface RunOptions {
  /** Runs even in a failed transaction (a batch that rolls it back). */
  readonly inFailed?: boolean;
  /** The client gets no ReadyForQuery (an extended batch answered at Flush). */
  readonly noReady?: boolean;
}

/** One enlisted shard: its lease, and this statement's answers until its ReadyForQuery. */
export class ShardLeg implements ServerSink {
  readonly shard: number;
  readonly lease: LeasePort;
  status: number;
  broken: boolean;
  /**
   * Requests written ahead of the statement (the client's session parameters, a BEGIN): their
   * answers are dropped up to their ReadyForQuery; each one's callback learns whether it failed.
   */
  private prefixes: ((ok: boolean) => void)[];
  private prefixError: boolean;
  private index: number;
  private results: ShardResults | null;
  private onReady: (() => void) | null;
  private onRun: (() => void) | null;

  constructor(shard: number, lease: LeasePort, status: number) {
    this.shard = shard;
    this.lease = lease;
    this.status = status;
    this.broken = false;
    this.prefixes = [];
    this.prefixError = false;
    this.index = 0;
    this.results = null;
    this.onReady = null;
    this.onRun = null;
    lease.server.attach(this);
  }

  /**
   * Writes the statement, after `setup` (session parameters of a fresh connection) and `begin`
   * when given; answers go to `results` as shard `index`.
   */
  start(frame: Buffer, setup: { frame: Buffer; applied(): void } | null, begin: Buffer | null, index: number, results: ShardResults, onReady: () => void, onRun: (() => void) | null = null): void {
    this.index = index;
    this.results = results;
    this.onReady = onReady;
    this.onRun = onRun;
    if (this.broken) {
      // The connection died after its last statement (inside the transaction): nothing can run
      // there any more, so this statement fails on it at once instead of waiting for an answer.
      results.lost(index, SqlState.ConnectionFailure, 'pgdog: the connection to this shard was lost during the transaction');
      this.finish();
      return;
    }
    // Through the socket's turn writer, as the single-server path writes: everything for this shard
    // goes out in one write at the end of the event-loop turn, straight to the stream handle.
    const server = socketWriterFor(this.lease.server.socket);
    if (setup !== null) {
      server.write(setup.frame);
      this.prefixes.push((ok) => {
        if (ok) setup.applied();
      });
    }
    if (begin !== null) {
      server.write(begin);
      this.prefixes.push(NOTHING);
    }
    server.write(frame);
  }

  onServerMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.prefixes.length > 0) {
      if (code === READY_FOR_QUERY) {
        const done = this.prefixes.shift()!;
        done(!this.prefixError);
        this.prefixError = false;
      } else if (code === ERROR_RESPONSE) {
        this.prefixError = true;
        this.results?.frame(this.index, code, buf, start, end);
      }
      return;
    }
    if (code === READY_FOR_QUERY) {
      this.status = buf[start + 5];
      this.finish();
      return;
    }
    this.results?.frame(this.index, code, buf, start, end);
  }

  /** After each read's frames: what the results can pass on already goes to the client. */
  onServerRun(): void {
    if (this.results !== null) this.onRun?.();
  }
  onServerDrain(): void {}

  onServerClosed(err: ServerError): void {
    this.broken = true;
    this.status = TransactionStatus.Failed;
    if (this.results !== null) {
      this.results.lost(this.index, err.sqlstate ?? SqlState.ConnectionFailure, err.message);
      this.finish();
    }
  }

  /** A statement is running here (its answer is awaited). */
  get running(): boolean {
    return this.results !== null && !this.broken;
  }

  private finish(): void {
    const ready = this.onReady;
    this.results = null;
    this.onReady = null;
    this.onRun = null;
    if (ready !== null) ready();
  }
}

export class MultiShard {
  private readonly host: MultiShardHost;
  private readonly legs: Map<number, ShardLeg>;
  /** Combined status of the client's transaction across the enlisted shards. */
  status: number;
  /** What opens the transaction on a shard enlisted after it began. */
  private begin: Buffer;
  private options: RunOptions;
  /** CancelRequests sent to the shards and not yet done. */
  private cancelling: Promise<void> | null = null;
  /** end() dropped a shard whose connection was lost: its answer starts with that error. */
  private lostShard = false;

  constructor(host: MultiShardHost) {
    this.host = host;
    this.legs = new Map();
    this.status = TransactionStatus.Idle;
    this.begin = BEGIN;
    this.options = {};
  }

  /** Shards the client's transaction is enlisted on, ascending. */
  get shards(): number[] {
    return [...this.legs.keys()].sort((a, b) => a - b);
  }

  get inTransaction(): boolean {
    return this.status !== TransactionStatus.Idle;
  }

  /** A server the client's transaction already runs on (status T or E) joins the legs. */
  adopt(shard: number, lease: LeasePort, status: number): void {
    this.legs.set(shard, new ShardLeg(shard, lease, status));
    if (status !== TransactionStatus.Idle) this.status = status;
  }

  /** How shards enlisted from now on open the transaction (the client's own BEGIN, with its options). */
  beginWith(begin: Buffer): void {
    this.begin = begin;
  }

  /** A transaction opened but not sent yet (aggressive strategy's held BEGIN). */
  openWith(begin: Buffer): void {
    this.begin = begin;
    this.status = TransactionStatus.InTransaction;
  }

  /**
   * Runs one Query frame on `shards` (enlisting those not held yet), combining the answers with
   * `results`. In a failed transaction only COMMIT / ROLLBACK (`ends`) run: both roll back.
   */
  run(frame: Buffer | readonly Buffer[], shards: readonly number[], role: Target['role'], results: ShardResults, options: RunOptions = {}): void {
    this.options = options;
    if (this.status === TransactionStatus.Failed && options.inFailed !== true) {
      this.answer(errorFrame(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block'));
      return;
    }
    const missing = shards.filter((s) => !this.legs.has(s));
    if (missing.length === 0) {
      this.start(frame, shards, results, []);
      return;
    }
    // Idle servers for every shard (the usual case): taken now, so the statement goes out in this
    // event-loop turn's write instead of a later one.
    const ready: LeasePort[] = [];
    for (const s of missing) {
      const lease = this.host.pool.tryCheckout(target(s, role));
      if (lease === null) break;
      ready.push(lease);
    }
    if (ready.length === missing.length) {
      missing.forEach((s, i) => this.legs.set(s, new ShardLeg(s, ready[i]!, TransactionStatus.Idle)));
      this.start(frame, shards, results, missing);
      return;
    }
    Promise.allSettled(missing.map((s, i) => (i < ready.length ? Promise.resolve(ready[i]!) : this.checkout(target(s, role))))).then((outcomes) => {
      const fresh: number[] = [];
      let failure: unknown = null;
      outcomes.forEach((o, i) => {
        if (o.status === 'fulfilled') {
          this.legs.set(missing[i]!, new ShardLeg(missing[i]!, o.value, TransactionStatus.Idle));
          fresh.push(missing[i]!);
        } else if (failure === null) failure = o.reason;
      });
      if (failure !== null) {
        // Nothing ran; inside a transaction it is failed now (the client must roll back).
        if (this.inTransaction) this.status = TransactionStatus.Failed;
        const f = this.host.checkoutFailure(failure);
        this.answer(errorFrame(f.sqlstate, f.message));
        return;
      }
      this.start(frame, shards, results, fresh);
    });
  }

  /** COMMIT / ROLLBACK: to every enlisted shard; a failed transaction is rolled back everywhere. */
  end(frame: Buffer, tag: string, results: ShardResults): void {
    this.options = {};
    // A shard lost inside the transaction took its part with it: the rest is rolled back, and
    // the client learns why (its COMMIT did not commit).
    for (const [shard, leg] of this.legs) {
      if (!leg.broken) continue;
      this.status = TransactionStatus.Failed;
      this.lostShard = true;
      leg.lease.release('broken');
      this.legs.delete(shard);
    }
    const shards = [...this.legs.keys()].sort((a, b) => a - b);
    if (shards.length === 0) {
      const reply = commandCompleteFrame(this.status === TransactionStatus.Failed ? 'ROLLBACK' : tag);
      this.status = TransactionStatus.Idle;
      this.answer(reply);
      return;
    }
    this.start(this.status === TransactionStatus.Failed ? ROLLBACK : frame, shards, results, []);
  }

  /**
   * The client's CancelRequest: every shard still working on its statement is told (a shard that
   * answered already is left alone, so the cancel cannot hit whatever it runs next).
   */
  cancel(send: (server: LeasePort['server']) => Promise<void>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const leg of this.legs.values()) if (leg.running) waits.push(send(leg.lease.server).catch(() => {}));
    const all = Promise.all(waits).then(() => {
      if (this.cancelling === all) this.cancelling = null;
    });
    this.cancelling = all;
    return all;
  }

  /** Hands every server back: clean when idle, dirty inside a transaction, broken when lost. */
  releaseAll(state: 'clean' | 'dirty' | 'broken'): void {
    const legs = [...this.legs.values()];
    this.legs.clear();
    const release = (): void => {
      for (const leg of legs) leg.lease.release(leg.broken ? 'broken' : leg.status !== TransactionStatus.Idle && state === 'clean' ? 'dirty' : state);
    };
    // A cancel still on its way must not reach the servers' next users.
    if (this.cancelling !== null) void this.cancelling.then(release);
    else release();
  }

  /**
   * The legs of `shards` for a statement pgdog drives itself (sharded COPY, sharded-copy.ts), those
   * not held yet checked out as run() does. Inside a transaction the `fresh` ones need `begin` first.
   * Null once the client has been answered (failed transaction, failed checkout).
   */
  acquire(shards: readonly number[], role: Target['role']): Promise<{ legs: ShardLeg[]; fresh: ShardLeg[]; begin: Buffer } | null> {
    if (this.status === TransactionStatus.Failed) {
      this.answer(errorFrame(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block'));
      return Promise.resolve(null);
    }
    const missing = shards.filter((s) => !this.legs.has(s));
    return Promise.allSettled(missing.map((s) => this.checkout(target(s, role)))).then((outcomes) => {
      const fresh: ShardLeg[] = [];
      let failure: unknown = null;
      outcomes.forEach((o, i) => {
        if (o.status === 'rejected') failure ??= o.reason;
        else {
          const leg = new ShardLeg(missing[i]!, o.value, TransactionStatus.Idle);
          this.legs.set(missing[i]!, leg);
          fresh.push(leg);
        }
      });
      if (failure !== null) {
        if (this.inTransaction) this.status = TransactionStatus.Failed;
        const f = this.host.checkoutFailure(failure);
        this.answer(errorFrame(f.sqlstate, f.message));
        return null;
      }
      return { legs: shards.map((s) => this.legs.get(s)!), fresh, begin: this.begin };
    });
  }

  private checkout(t: Target): Promise<LeasePort> {
    const lease = this.host.pool.tryCheckout(t);
    return lease !== null ? Promise.resolve(lease) : this.host.pool.checkout({ timeoutMs: this.host.checkoutTimeoutMs }, t);
  }

  private start(frame: Buffer | readonly Buffer[], shards: readonly number[], unbounded: ShardResults, fresh: readonly number[]): void {
    const limit = this.host.resultLimit;
    // Answers are held until every shard is done: past the limit the statement is stopped everywhere.
    let recancel: NodeJS.Timeout | null = null;
    const stop = (): void => {
      void this.cancel((server) => this.host.cancelOn(server));
      // PostgreSQL drops a cancel that arrives before the backend started the statement: again
      // until every shard has answered.
      recancel ??= setInterval(stop, RECANCEL_MS).unref();
    };
    const results = limit > 0 ? new BoundedResults(unbounded, limit, stop) : unbounded;
    let waiting = shards.length;
    const begin = this.inTransaction ? this.begin : null;
    // Results that can pass rows on before every shard is done stream them, and a client that
    // reads slowly holds the shards back (their sockets pause while its socket is full).
    const streams = unbounded.partial !== undefined;
    const group = streams ? new LegGroup(shards.map((s) => this.legs.get(s)!)) : null;
    const onRun = group !== null
      ? (): void => {
        const bytes = results.partial!();
        if (bytes !== null) this.host.send(bytes);
        // A shard far ahead of the others (rows the merge cannot place yet) waits for them.
        for (let i = 0; i < shards.length; i++) group.setBacklogged(i, (results.backlog?.(i) ?? 0) > MAX_QUEUED_ROWS);
      }
      : null;
    if (group !== null) this.host.setClientPeer(group);
    const ready = (): void => {
      if (--waiting > 0) return;
      if (recancel !== null) clearInterval(recancel);
      if (group !== null) {
        this.host.setClientPeer(null);
        group.release();
      }
      this.status = this.combinedStatus();
      const bytes = results.take();
      if (results.failsTransaction === true && this.status === TransactionStatus.InTransaction) this.status = TransactionStatus.Failed;
      this.answer(bytes);
    };
    results.begin(shards.length);
    shards.forEach((s, i) => {
      const leg = this.legs.get(s)!;
      const isFresh = fresh.includes(s);
      leg.start(Buffer.isBuffer(frame) ? frame : (frame as readonly Buffer[])[i]!, isFresh ? this.host.setup(leg.lease.server) : null, isFresh ? begin : null, i, results, ready, onRun);
    });
  }

  private combinedStatus(): number {
    let status: number = TransactionStatus.Idle;
    for (const leg of this.legs.values()) {
      if (leg.status === TransactionStatus.Failed) return TransactionStatus.Failed;
      if (leg.status === TransactionStatus.InTransaction) status = TransactionStatus.InTransaction;
    }
    return status;
  }

  /** The client's answer and its ReadyForQuery, in one write. */
  private answer(bytes: Buffer): void {
    if (this.lostShard) {
      this.lostShard = false;
      const lost = errorFrame(SqlState.ConnectionFailure, 'pgdog: a shard connection was lost inside the transaction; the transaction was rolled back on every shard');
      // The error replaces the ROLLBACK's own answer, as PostgreSQL reports a failed COMMIT.
      bytes = bytes.length > 0 && bytes[0] === ERROR_RESPONSE ? bytes : lost;
    }
    if (this.options.noReady === true) {
      if (bytes.length > 0) this.host.send(bytes);
    } else this.host.send(bytes.length === 0 ? readyForQueryFrame(this.status) : Buffer.concat([bytes, readyForQueryFrame(this.status)]));
    this.host.done(this.status);
  }
}

/** How often a statement stopped for cross_shard_result_limit is cancelled again while a shard still runs it. */
const RECANCEL_MS = 500;

/** Rows a shard may have waiting in a streaming merge before it is paused for the others. */
const MAX_QUEUED_ROWS = 1024;
