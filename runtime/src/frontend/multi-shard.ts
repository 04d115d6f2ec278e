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
import { readyForQueryFrame } from './local-replies.js';

const READY_FOR_QUERY = BackendCode.ReadyForQuery;
const ERROR_RESPONSE = BackendCode.ErrorResponse;
const BEGIN = queryMessage('BEGIN');
const ROLLBACK = queryMessage('ROLLBACK');

export interface MultiShardHost {
  readonly pool: PoolPort;
  readonly checkoutTimeoutMs: number;
  /** Bytes for the client. */
  send(bytes: Buffer): void;
  checkoutFailure(err: unknown): CheckoutFailure;
  /** The statement is answered (ReadyForQuery sent) with this combined transaction status. */
  done(status: number): void;
}

/** One enlisted shard: its lease, and this statement's answers until its ReadyForQuery. */
class ShardLeg implements ServerSink {
  readonly shard: number;
  readonly lease: LeasePort;
  status: number;
  broken: boolean;
  /** Answers of a BEGIN written ahead of the statement, to be dropped (up to its ReadyForQuery). */
  private skipReady: boolean;
  private index: number;
  private results: ShardResults | null;
  private onReady: (() => void) | null;

  constructor(shard: number, lease: LeasePort, status: number) {
    this.shard = shard;
    this.lease = lease;
    this.status = status;
    this.broken = false;
    this.skipReady = false;
    this.index = 0;
    this.results = null;
    this.onReady = null;
    lease.server.attach(this);
  }

  /** Writes the statement (a BEGIN first when `begin`); answers go to `results` as shard `index`. */
  start(frame: Buffer, begin: Buffer | null, index: number, results: ShardResults, onReady: () => void): void {
    this.index = index;
    this.results = results;
    this.onReady = onReady;
    this.skipReady = begin !== null;
    if (begin !== null) this.lease.server.write(begin);
    this.lease.server.write(frame);
  }

  onServerMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.skipReady) {
      if (code === READY_FOR_QUERY) this.skipReady = false;
      else if (code === ERROR_RESPONSE) this.results?.frame(this.index, code, buf, start, end);
      return;
    }
    if (code === READY_FOR_QUERY) {
      this.status = buf[start + 5];
      this.finish();
      return;
    }
    this.results?.frame(this.index, code, buf, start, end);
  }

  onServerRun(): void {}
  onServerDrain(): void {}

  onServerClosed(err: ServerError): void {
    this.broken = true;
    this.status = TransactionStatus.Failed;
    if (this.results !== null) {
      this.results.lost(this.index, err.sqlstate ?? SqlState.ConnectionFailure, err.message);
      this.finish();
    }
  }

  private finish(): void {
    const ready = this.onReady;
    this.results = null;
    this.onReady = null;
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

  constructor(host: MultiShardHost) {
    this.host = host;
    this.legs = new Map();
    this.status = TransactionStatus.Idle;
    this.begin = BEGIN;
  }

  get inTransaction(): boolean {
    return this.status !== TransactionStatus.Idle;
  }

  /** A server the client's transaction already runs on (status T or E) joins the legs. */
  adopt(shard: number, lease: LeasePort, status: number): void {
    this.legs.set(shard, new ShardLeg(shard, lease, status));
    if (status !== TransactionStatus.Idle) this.status = status;
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
  run(frame: Buffer | readonly Buffer[], shards: readonly number[], role: Target['role'], results: ShardResults): void {
    if (this.status === TransactionStatus.Failed) {
      this.answer(errorFrame(SqlState.InFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block'));
      return;
    }
    const missing = shards.filter((s) => !this.legs.has(s));
    if (missing.length === 0) {
      this.start(frame, shards, results, []);
      return;
    }
    Promise.allSettled(missing.map((s) => this.checkout(target(s, role)))).then((outcomes) => {
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
    const shards = [...this.legs.keys()].sort((a, b) => a - b);
    if (shards.length === 0) {
      const reply = commandCompleteFrame(this.status === TransactionStatus.Failed ? 'ROLLBACK' : tag);
      this.status = TransactionStatus.Idle;
      this.answer(reply);
      return;
    }
    this.start(this.status === TransactionStatus.Failed ? ROLLBACK : frame, shards, results, []);
  }

  /** Hands every server back: clean when idle, dirty inside a transaction, broken when lost. */
  releaseAll(state: 'clean' | 'dirty' | 'broken'): void {
    for (const leg of this.legs.values()) {
      leg.lease.release(leg.broken ? 'broken' : leg.status !== TransactionStatus.Idle && state === 'clean' ? 'dirty' : state);
    }
    this.legs.clear();
  }

  private checkout(t: Target): Promise<LeasePort> {
    const lease = this.host.pool.tryCheckout(t);
    return lease !== null ? Promise.resolve(lease) : this.host.pool.checkout({ timeoutMs: this.host.checkoutTimeoutMs }, t);
  }

  private start(frame: Buffer | readonly Buffer[], shards: readonly number[], results: ShardResults, fresh: readonly number[]): void {
    let waiting = shards.length;
    const begin = this.inTransaction ? this.begin : null;
    const ready = (): void => {
      if (--waiting > 0) return;
      this.status = this.combinedStatus();
      this.answer(results.take());
    };
    results.begin(shards.length);
    shards.forEach((s, i) => {
      const leg = this.legs.get(s)!;
      leg.start(Buffer.isBuffer(frame) ? frame : (frame as readonly Buffer[])[i]!, fresh.includes(s) ? begin : null, i, results, ready);
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
    this.host.send(bytes.length === 0 ? readyForQueryFrame(this.status) : Buffer.concat([bytes, readyForQueryFrame(this.status)]));
    this.host.done(this.status);
  }
}
