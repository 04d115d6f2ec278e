// Turns the result streams of one cross-shard SELECT into the frames the client sees: one
// RowDescription (shards must agree; hidden columns removed), the rows in order with OFFSET /
// LIMIT / DISTINCT / GROUP BY applied, and CommandComplete "SELECT n" with the client-visible
// count, or exactly one ErrorResponse. Pure: frames in, frames appended to a MessageWriter; the
// forwarder owns the sockets.
//
// Memory: with ORDER BY (or no order at all) and no DISTINCT / aggregates, rows stream: a shard's
// rows wait only until every other unfinished shard has a row to compare with (queuedRows tells
// the forwarder which shard to pause). Aggregates keep one combined row per group; DISTINCT keeps
// one row per distinct value.
import type { CrossShardPlan, LimitValue } from '@pgdog/compiler';
import { BackendCode } from '../protocol/codes.js';
import { writeCommandComplete } from '../protocol/backend/command-complete.js';
import { writeErrorResponse } from '../protocol/backend/error-response.js';
import { readDataRow } from '../protocol/backend/data-row.js';
import { readRowDescription, writeRowDescription, type DescribedColumn } from '../protocol/backend/row-description.js';
import type { MessageWriter } from '../protocol/writer.js';
import type { AggregateState } from './aggregate-state.js';
import { evaluateHaving } from './having-eval.js';
import { resolveColumn, resolveMergeColumns, sameShape, type MergeColumns } from './merge-columns.js';
import { MergeError, MergeSqlState } from './merge-error.js';
import { compareRows, type MergeRow } from './row-order.js';

export interface ResultMergerOptions {
  /** Bind parameter values as text (null = SQL NULL): LIMIT / OFFSET / HAVING may use them. */
  readonly params?: readonly (string | null)[];
}

interface Group {
  row: MergeRow;
  states: AggregateState[];
}

/** Rows of one shard not yet merged; `head` avoids shifting the array per row. */
class RowQueue {
  rows: MergeRow[] = [];
  head = 0;
  get size(): number {
    return this.rows.length - this.head;
  }
  push(r: MergeRow): void {
    this.rows.push(r);
  }
  peek(): MergeRow | undefined {
    return this.rows[this.head];
  }
  shift(): MergeRow {
    const r = this.rows[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
    return r;
  }
  clear(): void {
    this.rows = [];
    this.head = 0;
  }
}

export class ResultMerger {
  private readonly descriptions: (DescribedColumn[] | null)[];
  private readonly forward: boolean[];
  private readonly queues: RowQueue[];
  private readonly done: boolean[];
  private doneCount = 0;
  private columns: MergeColumns | null = null;
  private failedState = false;
  private emitted = 0;
  private toSkip = 0;
  private remaining = Infinity;
  private readonly params: readonly (string | null)[];
  private readonly groups = new Map<string, Group>();
  private readonly distinctRows = new Map<string, MergeRow>();

  constructor(
    private readonly plan: CrossShardPlan,
    private readonly shardCount: number,
    private readonly out: MessageWriter,
    options: ResultMergerOptions = {},
  ) {
    this.descriptions = new Array<DescribedColumn[] | null>(shardCount).fill(null);
    this.forward = new Array<boolean>(shardCount).fill(true);
    this.queues = Array.from({ length: shardCount }, () => new RowQueue());
    this.done = new Array<boolean>(shardCount).fill(false);
    this.params = options.params ?? [];
    this.guard(() => {
      const limit = this.limitNumber(plan.limit, 'LIMIT');
      const offset = this.limitNumber(plan.offset, 'OFFSET');
      if (limit !== null) this.remaining = limit;
      if (offset !== null) this.toSkip = offset;
    });
  }

  /** The merge has failed: one ErrorResponse was written; later frames are ignored. */
  get failed(): boolean {
    return this.failedState;
  }

  /** Every shard has completed (CommandComplete or ErrorResponse): output is final. */
  get finished(): boolean {
    return this.doneCount === this.shardCount;
  }

  /** Rows of a shard waiting for the others: pause that shard's socket when this grows. */
  queuedRows(shard: number): number {
    return this.queues[shard]!.size;
  }

  /** A shard's RowDescription; `forward = false` when the forwarder asked for it itself (an
   *  extended-protocol Execute the client did not Describe). */
  rowDescription(shard: number, buf: Buffer, start: number, end: number, forward = true): void {
    if (this.failedState) return;
    this.guard(() => {
      const cols = readRowDescription(buf, start, end);
      const first = this.descriptions.find((d) => d !== null);
      if (first !== undefined && first !== null && !sameShape(first, cols)) {
        throw new MergeError(MergeSqlState.DatatypeMismatch, `shard ${shard} returned different columns than the other shards for the same query`);
      }
      this.descriptions[shard] = cols;
      this.forward[shard] = forward;
      if (this.descriptions.every((d) => d !== null)) {
        this.columns = resolveMergeColumns(this.plan, cols);
        if (this.forward.some((f) => f)) writeRowDescription(this.out, cols.slice(0, this.columns.visible));
        this.pump();
      }
    });
  }

  dataRow(shard: number, buf: Buffer, start: number, end: number): void {
    if (this.failedState || this.remaining === 0 && this.plan.streaming) return;
    this.guard(() => {
      // The frame is only valid during this call: keep a copy with views into it.
      const frame = Buffer.from(buf.subarray(start, end));
      this.queues[shard]!.push({ fields: readDataRow(frame, 0, frame.length), frame, keys: null });
      this.pump();
    });
  }

  commandComplete(shard: number, _buf: Buffer, _start: number, _end: number): void {
    this.complete(shard);
    if (this.failedState) return;
    this.guard(() => {
      this.pump();
      if (this.finished) this.finish();
    });
  }

  /** A shard's ErrorResponse: the first one reaches the client as it arrived. */
  errorResponse(shard: number, buf: Buffer, start: number, end: number): void {
    this.complete(shard);
    if (this.failedState) return;
    this.failedState = true;
    this.dropRows();
    this.out.frames(buf.subarray(start, end));
  }

  /** A shard connection was lost without an ErrorResponse. */
  shardFailed(shard: number, sqlstate: string, message: string): void {
    this.complete(shard);
    this.fail(new MergeError(sqlstate, message));
  }

  private complete(shard: number): void {
    if (!this.done[shard]) {
      this.done[shard] = true;
      this.doneCount++;
    }
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (!(err instanceof MergeError)) throw err;
      this.fail(err);
    }
  }

  private fail(err: MergeError): void {
    if (this.failedState) return;
    this.failedState = true;
    this.dropRows();
    writeErrorResponse(this.out, { severity: 'ERROR', sqlstate: err.sqlstate, message: err.message });
  }

  private dropRows(): void {
    for (const q of this.queues) q.clear();
    this.groups.clear();
    this.distinctRows.clear();
  }

  private limitNumber(v: LimitValue | null, clause: 'LIMIT' | 'OFFSET'): number | null {
    if (v === null) return null;
    const text = v.kind === 'literal' ? v.value : this.params[v.index - 1] ?? null;
    if (text === null) return null;
    let n: bigint;
    try {
      n = BigInt(text.trim());
    } catch {
      throw new MergeError('22P02', `invalid input syntax for type bigint: "${text}"`);
    }
    if (n < 0n) {
      throw clause === 'LIMIT'
        ? new MergeError(MergeSqlState.InvalidRowCountInLimitClause, 'LIMIT must not be negative')
        : new MergeError(MergeSqlState.InvalidRowCountInResultOffsetClause, 'OFFSET must not be negative');
    }
    return Number(n);
  }

  /** Moves queued rows forward as far as the mode allows. */
  private pump(): void {
    const cols = this.columns;
    if (cols === null) return;
    for (const q of this.queues) {
      for (let i = q.head; i < q.rows.length; i++) {
        if (q.rows[i]!.fields.length !== cols.total) {
          throw new MergeError(MergeSqlState.InternalError, `a shard sent a row of ${q.rows[i]!.fields.length} columns for ${cols.total}`);
        }
      }
    }
    if (!this.plan.streaming) {
      for (const q of this.queues) while (q.size > 0) this.absorb(q.shift(), cols);
      return;
    }
    if (cols.sort.length === 0) {
      for (const q of this.queues) while (q.size > 0 && this.remaining > 0) this.emit(q.shift(), cols);
      if (this.remaining === 0) this.dropRows();
      return;
    }
    // k-way merge: the smallest head is final once every unfinished shard has a head.
    while (this.remaining > 0) {
      let best = -1;
      for (let s = 0; s < this.shardCount; s++) {
        const head = this.queues[s]!.peek();
        if (head === undefined) {
          if (!this.done[s]) return;
          continue;
        }
        if (best < 0 || compareRows(head, this.queues[best]!.peek()!, cols.sort) < 0) best = s;
      }
      if (best < 0) return;
      this.emit(this.queues[best]!.shift(), cols);
    }
    this.dropRows();
  }

  /** Buffered modes: fold a row into its group or the distinct set. */
  private absorb(row: MergeRow, cols: MergeColumns): void {
    if (this.plan.aggregate === null) {
      const key = rowKey(row, cols.distinct);
      if (!this.distinctRows.has(key)) this.distinctRows.set(key, row);
      return;
    }
    const key = rowKey(row, cols.groupBy);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = { row: { fields: row.fields.slice(), frame: null, keys: null }, states: cols.aggregates.map((a) => a.create()) };
      this.groups.set(key, g);
    }
    const f = row.fields;
    cols.aggregates.forEach((a, i) => g.states[i]!.add(f[a.index] ?? null, a.sum < 0 ? null : f[a.sum] ?? null, a.count < 0 ? null : f[a.count] ?? null));
  }

  private finish(): void {
    const cols = this.columns;
    if (cols === null) throw new MergeError(MergeSqlState.InternalError, 'a shard completed without describing its rows');
    if (!this.plan.streaming) {
      let rows: MergeRow[];
      const agg = this.plan.aggregate;
      if (agg !== null) {
        rows = [];
        for (const g of this.groups.values()) {
          cols.aggregates.forEach((a, i) => {
            g.row.fields[a.index] = g.states[i]!.result();
          });
          if (agg.having !== null) {
            const keep = evaluateHaving(agg.having, g.row.fields, {
              columns: cols,
              at: (o) => resolveColumn(o.column, cols.total, this.plan.hiddenColumns),
              params: this.params,
            });
            if (keep !== true) continue;
          }
          rows.push(g.row);
        }
        if (this.plan.distinct) rows = distinctOf(rows, cols);
      } else {
        rows = [...this.distinctRows.values()];
      }
      if (cols.sort.length > 0) rows.sort((a, b) => compareRows(a, b, cols.sort));
      for (const r of rows) {
        if (this.remaining === 0) break;
        this.emit(r, cols);
      }
      this.dropRows();
    }
    writeCommandComplete(this.out, `SELECT ${this.emitted}`);
  }

  private emit(row: MergeRow, cols: MergeColumns): void {
    if (this.toSkip > 0) {
      this.toSkip--;
      return;
    }
    this.remaining--;
    this.emitted++;
    if (row.frame !== null && cols.visible === cols.total) {
      this.out.frames(row.frame);
      return;
    }
    const w = this.out.begin(BackendCode.DataRow).int16(cols.visible);
    for (let i = 0; i < cols.visible; i++) {
      const v = row.fields[i] ?? null;
      if (v === null) w.int32(-1);
      else w.int32(v.length).bytes(v);
    }
    w.end();
  }
}

function rowKey(row: MergeRow, keyed: readonly { index: number; type: { decode(v: Buffer): unknown; equalityKey(k: unknown): string } }[]): string {
  let key = '';
  for (const { index, type } of keyed) {
    const v = row.fields[index];
    if (v === null || v === undefined) key += '~';
    else {
      const k = type.equalityKey(type.decode(v));
      key += `${k.length}:${k}`;
    }
  }
  return key;
}

function distinctOf(rows: readonly MergeRow[], cols: MergeColumns): MergeRow[] {
  const seen = new Set<string>();
  const out: MergeRow[] = [];
  for (const r of rows) {
    const k = rowKey(r, cols.distinct);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out;
}
