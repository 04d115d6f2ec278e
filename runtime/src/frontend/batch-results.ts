// The answers of several shards to one planned extended-protocol batch (extended-batch.ts), turned
// into what one database would have answered: per request the first shard's ParseComplete /
// BindComplete / descriptions, an Execute's rows merged (cross-shard SELECT) or gathered with
// summed row counts, answers to requests pgdog added dropped, and the first error (in batch
// order) as the only error. Shards' answers are kept until all are in, as for simple queries.

import { BackendCode } from '../protocol/codes.js';
import { readCommandComplete } from '../protocol/backend/command-complete.js';
import { CLOSE_COMPLETE } from '../protocol/constants.js';
import { MessageWriter } from '../protocol/writer.js';
import { ResultMerger } from '../merge/result-merger.js';
import { UnitKind, type BatchPlan, type Unit } from './extended-batch.js';
import { commandCompleteFrame, errorFrame, sumTags, type ShardResults } from './shard-results.js';

const ERROR_RESPONSE = BackendCode.ErrorResponse;
const NOTICE = BackendCode.NoticeResponse;
const PARAMETER_STATUS = BackendCode.ParameterStatus;
const NOTIFICATION = BackendCode.NotificationResponse;
const DATA_ROW = BackendCode.DataRow;
const ROW_DESCRIPTION = BackendCode.RowDescription;
const PARAMETER_DESCRIPTION = BackendCode.ParameterDescription;
const COMMAND_COMPLETE = BackendCode.CommandComplete;

/** One shard's answer to one unit. */
interface Answer {
  frames: Buffer[];
  error: Buffer | null;
}

export class BatchResults implements ShardResults {
  private readonly plan: BatchPlan;
  /** Per shard index: the frames received, in order (ReadyForQuery is not passed here). */
  private received: Buffer[][] = [];
  private lostError: (Buffer | null)[] = [];
  /** The batch's answer put an open transaction in error (a local refusal or a failed merge). */
  failsTransaction = false;

  constructor(plan: BatchPlan) {
    this.plan = plan;
  }

  begin(shardCount: number): void {
    this.received = Array.from({ length: shardCount }, () => []);
    this.lostError = new Array<Buffer | null>(shardCount).fill(null);
  }

  frame(shard: number, _code: number, buf: Buffer, start: number, end: number): void {
    this.received[shard]!.push(Buffer.from(buf.subarray(start, end)));
  }

  lost(shard: number, sqlstate: string, message: string): void {
    this.lostError[shard] = errorFrame(sqlstate, message);
  }

  take(): Buffer {
    const plan = this.plan;
    const n = plan.shards.length;
    const pos = new Array<number>(n).fill(0);
    const failed = new Array<boolean>(n).fill(false);
    const out: Buffer[] = [];
    const async: Buffer[] = [];
    let errored = false;
    let statusSeen = false;
    // Notices and the like may come before any answer: they go out in arrival order per shard.
    const next = (k: number): Buffer | null => {
      const frames = this.received[k]!;
      while (pos[k]! < frames.length) {
        const f = frames[pos[k]!++]!;
        const c = f[0];
        if (c === NOTICE || c === NOTIFICATION) async.push(f);
        else if (c === PARAMETER_STATUS) {
          if (k === 0 || !statusSeen) async.push(f);
          statusSeen = true;
        } else return f;
      }
      return null;
    };
    const answerOf = (k: number, unit: Unit): Answer | null => {
      if (failed[k]) return null;
      const frames: Buffer[] = [];
      for (;;) {
        const f = next(k);
        if (f === null) {
          // The shard stopped answering (connection lost): its error stands for the rest.
          failed[k] = true;
          return { frames, error: this.lostError[k] ?? errorFrame('08006', 'pgdog: shard answer incomplete') };
        }
        if (f[0] === ERROR_RESPONSE) {
          failed[k] = true;
          return { frames, error: f };
        }
        frames.push(f);
        if (ends(unit.kind, f[0])) return { frames, error: null };
      }
    };

    for (const unit of plan.units) {
      if (errored) break;
      if (unit.kind === UnitKind.CloseLocal) {
        out.push(CLOSE_COMPLETE);
        continue;
      }
      const members = unit.shards === null ? plan.shards.map((_, k) => k) : unit.shards.map((s) => plan.shards.indexOf(s));
      const answers: (Answer | null)[] = members.map((k) => answerOf(k, unit));
      const error = answers.find((a) => a !== null && a.error !== null);
      if (error !== undefined && error !== null) {
        if (async.length > 0) out.push(...async.splice(0));
        out.push(error.error!);
        errored = true;
        break;
      }
      if (async.length > 0) out.push(...async.splice(0));
      if (!unit.client) {
        if (unit.kind === UnitKind.DescribePortal && unit.plan !== null) this.descriptions.set(unit, answers.map((a) => a!.frames[0]!));
        continue;
      }
      const first = answers[0]!.frames;
      switch (unit.kind) {
        case UnitKind.Parse:
        case UnitKind.Bind:
        case UnitKind.Close:
          out.push(first[0]!);
          break;
        case UnitKind.DescribeStatement:
        case UnitKind.DescribePortal:
          for (const f of first) out.push(unit.plan !== null && f[0] === ROW_DESCRIPTION ? visibleColumns(unit, f) : f);
          break;
        case UnitKind.Execute: {
          const merged = this.execute(unit, answers.map((a) => a!.frames), members.length);
          out.push(merged.bytes);
          if (merged.failed) {
            errored = true;
            this.failsTransaction = true;
          }
          break;
        }
      }
    }
    if (async.length > 0) out.push(...async);
    if (!errored && plan.refusal !== null) {
      out.push(errorFrame(plan.refusal.sqlstate, plan.refusal.message));
      this.failsTransaction = true;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** RowDescriptions pgdog asked for ahead of a merged Execute, per member shard. */
  private readonly descriptions = new Map<Unit, Buffer[]>();
  private lastDescribeFor(unit: Unit): Buffer[] | null {
    // The Describe pgdog added sits right before its Execute in the unit list.
    const i = this.plan.units.indexOf(unit);
    const d = i > 0 ? this.plan.units[i - 1]! : null;
    return d !== null ? this.descriptions.get(d) ?? null : null;
  }

  private execute(unit: Unit, perShard: Buffer[][], count: number): { bytes: Buffer; failed: boolean } {
    if (unit.plan !== null) {
      const descriptions = this.lastDescribeFor(unit);
      const w = new MessageWriter();
      const m = new ResultMerger(unit.plan, count, w, { params: unit.params });
      perShard.forEach((frames, k) => {
        const d = descriptions?.[k];
        if (d !== undefined && d[0] === ROW_DESCRIPTION) m.rowDescription(k, d, 0, d.length, false);
      });
      perShard.forEach((frames, k) => {
        for (const f of frames) {
          if (f[0] === DATA_ROW) m.dataRow(k, f, 0, f.length);
          else if (f[0] === COMMAND_COMPLETE) m.commandComplete(k, f, 0, f.length);
        }
      });
      return { bytes: w.take(), failed: m.failed };
    }
    const parts: Buffer[] = [];
    const sources = unit.replicated ? perShard.slice(0, 1) : perShard;
    for (const frames of sources) for (const f of frames) if (f[0] === DATA_ROW) parts.push(f);
    const ends = sources.map((frames) => frames[frames.length - 1]!);
    const last = ends[0]!;
    if (last[0] === COMMAND_COMPLETE && ends.length > 1) parts.push(commandCompleteFrame(sumTags(ends.map((e) => readCommandComplete(e, 0, e.length)))));
    else parts.push(last);
    return { bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts), failed: false };
  }
}

/** Does this frame end a unit's answer? */
function ends(kind: UnitKind, code: number): boolean {
  switch (kind) {
    case UnitKind.DescribeStatement:
      return code !== PARAMETER_DESCRIPTION;
    case UnitKind.Execute:
      return code !== DATA_ROW;
    default:
      return true;
  }
}

/** A merged SELECT's RowDescription without the columns pgdog added for the merge. */
function visibleColumns(unit: Unit, frame: Buffer): Buffer {
  const w = new MessageWriter();
  const m = new ResultMerger(unit.plan!, 1, w);
  m.rowDescription(0, frame, 0, frame.length, true);
  const out = w.take();
  return out.length > 0 && out[0] === ROW_DESCRIPTION ? out : frame;
}
