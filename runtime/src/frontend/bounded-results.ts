// A statement on several shards is answered once every shard is done (a merge needs all rows), so
// its answers are held in pgdog's memory meanwhile. One cross-shard SELECT of a big table must not
// take the process, and every other client with it, out of memory: past cross_shard_result_limit
// bytes the answers are dropped, the statement is cancelled on every shard still running it, and
// the client gets one error (54000, as PostgreSQL reports a result it will not build) instead.

import { BackendCode } from '../protocol/codes.js';
import { SqlState } from '../protocol/sqlstate.js';
import { errorFrame, type ShardResults } from './shard-results.js';

const ERROR_RESPONSE = BackendCode.ErrorResponse;

export class BoundedResults implements ShardResults {
  private readonly inner: ShardResults;
  private readonly limit: number;
  private readonly onOverflow: () => void;
  private held = 0;
  private over = false;

  /** `onOverflow`: called once, when the limit is first passed (the shards should stop). */
  constructor(inner: ShardResults, limit: number, onOverflow: () => void) {
    this.inner = inner;
    this.limit = limit;
    this.onOverflow = onOverflow;
  }

  begin(shardCount: number): void {
    this.held = 0;
    this.over = false;
    this.inner.begin(shardCount);
  }

  frame(shard: number, code: number, buf: Buffer, start: number, end: number): void {
    if (this.over) return;
    // An error is small and decides the answer: it always gets through.
    if (code !== ERROR_RESPONSE) {
      this.held += end - start;
      // Streaming results are weighed after each read, once what they could pass on has gone
      // (partial()); a read's worth of frames is never more than one read buffer.
      if (this.held > this.limit && this.inner.partial === undefined) {
        this.overflow();
        return;
      }
    }
    this.inner.frame(shard, code, buf, start, end);
  }

  private overflow(): void {
    this.over = true;
    this.onOverflow();
  }

  lost(shard: number, sqlstate: string, message: string): void {
    if (!this.over) this.inner.lost(shard, sqlstate, message);
  }

  /** What the inner results stream: no longer held here. */
  partial(): Buffer | null {
    if (this.over) return null;
    const bytes = this.inner.partial?.() ?? null;
    if (bytes !== null) this.held = Math.max(0, this.held - bytes.length);
    // Rows already passed on stay passed on; the error follows them at take().
    if (this.held > this.limit) this.overflow();
    return bytes;
  }

  backlog(index: number): number {
    return this.inner.backlog?.(index) ?? 0;
  }

  take(): Buffer {
    if (!this.over) return this.inner.take();
    return errorFrame(SqlState.ProgramLimitExceeded, `pgdog: the answers of the shards to this statement passed cross_shard_result_limit (${this.limit} bytes) before they could be combined; the statement was cancelled on every shard. Narrow it (a sharding key, a WHERE, a LIMIT) or raise the limit`);
  }

  /** The error pgdog made here fails an open transaction, as PostgreSQL's own error would. */
  get failsTransaction(): boolean {
    return this.over || this.inner.failsTransaction === true;
  }
}
