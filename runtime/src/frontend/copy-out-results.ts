// `COPY table TO STDOUT` over several shards: one CopyOutResponse, every shard's rows, one
// CopyDone and `COPY n` with the summed count, as if one database held all rows. The rows stream:
// each shard's CopyData is passed on as it arrives (partial()), so an export of any size goes
// through pgdog with the client's pace holding the shards back (multi-shard.ts). A CSV / text
// HEADER line comes once (the first shard to send data keeps its header line, the others' is
// dropped); binary output keeps that shard's file header, strips the others', and ends with one
// trailer. An error on any shard ends the copy (the first shard's, by shard order): the client
// gets it after whatever rows were already passed on, as from PostgreSQL.

import { BackendCode } from '../protocol/codes.js';
import { readCommandComplete } from '../protocol/backend/command-complete.js';
import { binaryHeaderLength } from '../copy/copy-binary.js';
import { commandCompleteFrame, FirstError, sumTags, type ShardResults } from './shard-results.js';

const COPY_OUT_RESPONSE = BackendCode.CopyOutResponse;
const COPY_DATA = BackendCode.CopyData;
const COMMAND_COMPLETE = BackendCode.CommandComplete;
const ERROR_RESPONSE = BackendCode.ErrorResponse;
const COPY_DONE = Buffer.from([BackendCode.CopyDone, 0, 0, 0, 4]);
/** A binary copy ends with a field count of -1. */
const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

export class CopyOutResults implements ShardResults {
  private readonly format: 'text' | 'csv' | 'binary';
  private readonly header: boolean;
  private responseSent = false;
  /** Frames ready for the client since the last partial(). */
  private out: Buffer[] = [];
  /** Per shard: CopyData messages seen (its first carries a header line / the file header). */
  private seen: number[] = [];
  /** The shard whose header the client gets; -1 until one sends data. */
  private headerShard = -1;
  /** Binary: per shard, its latest payload, held back because it may end with the trailer. */
  private held: (Buffer | null)[] = [];
  private tags: string[] = [];
  private readonly error = new FirstError();

  constructor(format: 'text' | 'csv' | 'binary', header: boolean) {
    this.format = format;
    this.header = header;
  }

  begin(shardCount: number): void {
    this.responseSent = false;
    this.out = [];
    this.seen = new Array<number>(shardCount).fill(0);
    this.headerShard = -1;
    this.held = new Array<Buffer | null>(shardCount).fill(null);
    this.tags = new Array<string>(shardCount).fill('COPY 0');
    this.error.clear();
  }

  frame(shard: number, code: number, buf: Buffer, start: number, end: number): void {
    if (code === ERROR_RESPONSE) {
      this.error.offer(shard, buf, start, end);
      return;
    }
    if (this.error.frame !== null) return;
    if (code === COPY_OUT_RESPONSE) {
      if (!this.responseSent) {
        this.responseSent = true;
        this.out.push(Buffer.from(buf.subarray(start, end)));
      }
    } else if (code === COPY_DATA) this.data(shard, buf, start, end);
    else if (code === COMMAND_COMPLETE) {
      this.tags[shard] = readCommandComplete(buf, start, end);
      this.endOfShard(shard);
    }
  }

  private data(shard: number, buf: Buffer, start: number, end: number): void {
    const first = this.seen[shard]!++ === 0;
    if (first && this.headerShard < 0) this.headerShard = shard;
    const dropsHeader = first && shard !== this.headerShard;
    if (this.format !== 'binary') {
      // PostgreSQL sends the header line as a message of its own.
      if (!(dropsHeader && this.header)) this.out.push(Buffer.from(buf.subarray(start, end)));
      return;
    }
    let payload = buf.subarray(start + 5, end);
    if (first) {
      let length: number;
      try {
        length = binaryHeaderLength(payload);
      } catch (e) {
        this.lost(shard, '22P04', (e as Error).message);
        return;
      }
      // The file header goes out at once, ahead of every shard's rows; the others' is dropped.
      if (!dropsHeader) this.out.push(copyDataFrame(payload.subarray(0, length)));
      payload = payload.subarray(length);
    }
    const before = this.held[shard];
    if (before !== null && before !== undefined && before.length > 0) this.out.push(copyDataFrame(before));
    this.held[shard] = Buffer.from(payload);
  }

  /** Binary: the shard's last payload goes out without its trailer (one trailer ends the copy). */
  private endOfShard(shard: number): void {
    const last = this.held[shard];
    this.held[shard] = null;
    if (last === null || last === undefined) return;
    const rest = last.length >= 2 && last.subarray(last.length - 2).equals(BINARY_TRAILER) ? last.subarray(0, last.length - 2) : last;
    if (rest.length > 0) this.out.push(copyDataFrame(rest));
  }

  lost(shard: number, sqlstate: string, message: string): void {
    this.error.lost(shard, sqlstate, message);
  }

  partial(): Buffer | null {
    if (this.error.frame !== null || this.out.length === 0) return null;
    const out = this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    return out;
  }

  backlog(): number {
    return 0;
  }

  take(): Buffer {
    if (this.error.frame !== null) return this.error.frame;
    if (!this.responseSent) return commandCompleteFrame(sumTags(this.tags));
    const out = this.out;
    this.out = [];
    if (this.format === 'binary') out.push(copyDataFrame(BINARY_TRAILER));
    out.push(COPY_DONE, commandCompleteFrame(sumTags(this.tags)));
    return Buffer.concat(out);
  }
}

export function copyDataFrame(payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(5);
  head[0] = COPY_DATA;
  head.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}
