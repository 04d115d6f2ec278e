// How the answers of several shards to one statement become the one answer a single database
// would give. Writes (and DDL, and RETURNING rows): frames of the first shard, the rows of all, and
// CommandCompletes whose row counts are summed. SELECT: the cross-shard merge (merge/). Either way
// the first error of any shard is the only error the client sees.

import type { CrossShardPlan } from '@pgdog/compiler';
import { BackendCode } from '../protocol/codes.js';
import { readCommandComplete, writeCommandComplete } from '../protocol/backend/command-complete.js';
import { writeErrorResponse } from '../protocol/backend/error-response.js';
import { MessageWriter } from '../protocol/writer.js';
import { ResultMerger } from '../merge/result-merger.js';

const COMMAND_COMPLETE = BackendCode.CommandComplete;
const EMPTY_QUERY = BackendCode.EmptyQueryResponse;
const DATA_ROW = BackendCode.DataRow;
const ROW_DESCRIPTION = BackendCode.RowDescription;
const ERROR_RESPONSE = BackendCode.ErrorResponse;

/** Receives every shard's frames of one statement (views: copy to keep), then gives the output. */
export interface ShardResults {
  begin(shardCount: number): void;
  frame(shard: number, code: number, buf: Buffer, start: number, end: number): void;
  /** The shard's connection was lost before its answer was complete. */
  lost(shard: number, sqlstate: string, message: string): void;
  /** Everything for the client, up to (not including) ReadyForQuery; called once all shards are done. */
  take(): Buffer;
  /**
   * Results that can stream: what is final for the client already (sent before the statement
   * ends), or null. take() then gives only the rest.
   */
  partial?(): Buffer | null;
  /** Streaming results: rows of shard `index` received but not yet passed on. */
  backlog?(index: number): number;
  /** Set by take(): its answer is an error pgdog made (an open transaction is failed by it). */
  readonly failsTransaction?: boolean;
}

/** An ErrorResponse frame. */
export function errorFrame(sqlstate: string, message: string): Buffer {
  return writeErrorResponse(new MessageWriter(256), { severity: 'ERROR', sqlstate, message }).take();
}

export function commandCompleteFrame(tag: string): Buffer {
  return writeCommandComplete(new MessageWriter(64), tag).take();
}

/** `UPDATE 3` + `UPDATE 4` = `UPDATE 7`; `INSERT 0 1` + `INSERT 0 2` = `INSERT 0 3`; others as the first. */
export function sumTags(tags: readonly string[]): string {
  const first = tags[0] ?? '';
  const cut = first.lastIndexOf(' ');
  if (cut < 0 || !/^\d+$/.test(first.slice(cut + 1))) return first;
  let n = 0;
  for (const t of tags) n += Number(t.slice(t.lastIndexOf(' ') + 1)) || 0;
  return `${first.slice(0, cut + 1)}${n}`;
}

/**
 * The one error a client sees of a statement on several shards: the lowest-numbered shard's, as if
 * the shards had answered in order.
 */
export class FirstError {
  frame: Buffer | null = null;
  private shard = Infinity;

  clear(): void {
    this.frame = null;
    this.shard = Infinity;
  }

  /** A shard's ErrorResponse at buf[start, end) (copied when it wins). */
  offer(shard: number, buf: Buffer, start: number, end: number): void {
    if (shard < this.shard) this.set(shard, Buffer.from(buf.subarray(start, end)));
  }

  /** A shard connection lost without an ErrorResponse. */
  lost(shard: number, sqlstate: string, message: string): void {
    if (shard < this.shard) this.set(shard, errorFrame(sqlstate, message));
  }

  private set(shard: number, frame: Buffer): void {
    this.frame = frame;
    this.shard = shard;
  }
}

/**
 * Writes, DDL, transaction control: results kept per shard, combined at the end. `replicated`
 * (an omnisharded table, the same rows everywhere): the first shard's rows and counts stand for all.
 */
export class SummedResults implements ShardResults {
  private readonly replicated: boolean;
  private frames: Buffer[][] = [];
  private readonly error = new FirstError();

  constructor(replicated = false) {
    this.replicated = replicated;
  }

  begin(shardCount: number): void {
    this.frames = Array.from({ length: shardCount }, () => []);
    this.error.clear();
  }

  frame(shard: number, code: number, buf: Buffer, start: number, end: number): void {
    if (code === ERROR_RESPONSE) this.error.offer(shard, buf, start, end);
    else this.frames[shard]!.push(Buffer.from(buf.subarray(start, end)));
  }

  lost(shard: number, sqlstate: string, message: string): void {
    this.error.lost(shard, sqlstate, message);
  }

  take(): Buffer {
    const all = this.frames.map(segments);
    const per = this.replicated ? all.slice(0, 1) : all;
    const out: Buffer[] = [];
    const first = per[0] ?? [];
    // Statements every shard completed, in order; the error (if any) follows them.
    const complete = Math.min(...all.map((p) => p.length));
    for (let j = 0; j < complete; j++) {
      const seg = first[j]!;
      for (const f of seg.frames) if (f[0] !== DATA_ROW) out.push(f);
      for (const p of per) for (const f of p[j]!.frames) if (f[0] === DATA_ROW) out.push(f);
      const end = seg.end;
      if (end[0] === COMMAND_COMPLETE) out.push(commandCompleteFrame(sumTags(per.map((p) => readCommandComplete(p[j]!.end, 0, p[j]!.end.length)))));
      else out.push(end);
    }
    // The statement that failed on some shard: only its error (its rows elsewhere are dropped).
    if (this.error.frame !== null) out.push(this.error.frame);
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}

interface Segment {
  frames: Buffer[];
  end: Buffer;
}

/** A shard's frames cut at each statement's end (CommandComplete / EmptyQueryResponse). */
function segments(frames: readonly Buffer[]): Segment[] {
  const out: Segment[] = [];
  let cur: Buffer[] = [];
  for (const f of frames) {
    if (f[0] === COMMAND_COMPLETE || f[0] === EMPTY_QUERY) {
      out.push({ frames: cur, end: f });
      cur = [];
    } else cur.push(f);
  }
  return out;
}

/** A cross-shard SELECT: the merger sees each shard's stream as it arrives. */
export class MergedResults implements ShardResults {
  private readonly plan: CrossShardPlan;
  private readonly params: readonly (string | null)[];
  private readonly out: MessageWriter;
  private merger: ResultMerger | null = null;

  constructor(plan: CrossShardPlan, params: readonly (string | null)[] = []) {
    this.plan = plan;
    this.params = params;
    this.out = new MessageWriter();
  }

  begin(shardCount: number): void {
    this.merger = new ResultMerger(this.plan, shardCount, this.out, { params: this.params });
  }

  frame(shard: number, code: number, buf: Buffer, start: number, end: number): void {
    const m = this.merger as ResultMerger;
    if (code === ROW_DESCRIPTION) m.rowDescription(shard, buf, start, end);
    else if (code === DATA_ROW) m.dataRow(shard, buf, start, end);
    else if (code === COMMAND_COMPLETE) m.commandComplete(shard, buf, start, end);
    else if (code === ERROR_RESPONSE) m.errorResponse(shard, buf, start, end);
  }

  lost(shard: number, sqlstate: string, message: string): void {
    (this.merger as ResultMerger).shardFailed(shard, sqlstate, message);
  }

  take(): Buffer {
    return this.out.take();
  }

  backlog(index: number): number {
    return this.merger === null ? 0 : this.merger.queuedRows(index);
  }

  /** The merger writes rows as soon as their order is decided (all of them, for a plain scan). */
  partial(): Buffer | null {
    // A failed merge's error (and rows written before it) waits for take(): the statement's end
    // decides what the client's last word is.
    if (this.merger === null || this.merger.failed) return null;
    const bytes = this.out.take();
    return bytes.length > 0 ? bytes : null;
  }
}
