// `COPY table TO STDOUT` over several shards: one CopyOutResponse, every shard's rows, one
// CopyDone and `COPY n` with the summed count, as if one database held all rows. A CSV / text
// HEADER line comes once (the later shards' first message, the header, is dropped); binary output
// keeps the first shard's file header and the last shard's trailer. An error on any shard is the
// only answer (the first shard's, by shard order). Rows are kept until every shard has finished.

import { BackendCode } from '../protocol/codes.js';
import { readCommandComplete } from '../protocol/backend/command-complete.js';
import { binaryHeaderLength } from '../copy/copy-binary.js';
import { commandCompleteFrame, errorFrame, sumTags, type ShardResults } from './shard-results.js';

const COPY_OUT_RESPONSE = BackendCode.CopyOutResponse;
const COPY_DATA = BackendCode.CopyData;
const COMMAND_COMPLETE = BackendCode.CommandComplete;
const ERROR_RESPONSE = BackendCode.ErrorResponse;
const COPY_DONE = Buffer.from([BackendCode.CopyDone, 0, 0, 0, 4]);

export class CopyOutResults implements ShardResults {
  private readonly format: 'text' | 'csv' | 'binary';
  private readonly header: boolean;
  private response: Buffer | null = null;
  private data: Buffer[][] = [];
  private tags: string[] = [];
  private error: Buffer | null = null;
  private errorShard = Infinity;

  constructor(format: 'text' | 'csv' | 'binary', header: boolean) {
    this.format = format;
    this.header = header;
  }

  begin(shardCount: number): void {
    this.response = null;
    this.data = Array.from({ length: shardCount }, () => []);
    this.tags = new Array<string>(shardCount).fill('COPY 0');
    this.error = null;
    this.errorShard = Infinity;
  }

  frame(shard: number, code: number, buf: Buffer, start: number, end: number): void {
    if (code === COPY_DATA) this.data[shard]!.push(Buffer.from(buf.subarray(start + 5, end)));
    else if (code === COPY_OUT_RESPONSE) this.response ??= Buffer.from(buf.subarray(start, end));
    else if (code === COMMAND_COMPLETE) this.tags[shard] = readCommandComplete(buf, start, end);
    else if (code === ERROR_RESPONSE && shard < this.errorShard) {
      this.error = Buffer.from(buf.subarray(start, end));
      this.errorShard = shard;
    }
  }

  lost(shard: number, sqlstate: string, message: string): void {
    if (shard < this.errorShard) {
      this.error = errorFrame(sqlstate, message);
      this.errorShard = shard;
    }
  }

  take(): Buffer {
    if (this.error !== null) return this.error;
    if (this.response === null) return commandCompleteFrame(sumTags(this.tags));
    const out: Buffer[] = [this.response];
    const payloads = this.format === 'binary' ? this.binaryPayloads() : this.textPayloads();
    for (const p of payloads) if (p.length > 0) out.push(copyDataFrame(p));
    out.push(COPY_DONE, commandCompleteFrame(sumTags(this.tags)));
    return Buffer.concat(out);
  }

  private textPayloads(): Buffer[] {
    const out: Buffer[] = [];
    this.data.forEach((messages, shard) => {
      // PostgreSQL sends the header line as a message of its own.
      out.push(...(this.header && shard > 0 ? messages.slice(1) : messages));
    });
    return out;
  }

  private binaryPayloads(): Buffer[] {
    const last = this.data.length - 1;
    return this.data.map((messages, shard) => {
      let bytes = Buffer.concat(messages);
      if (shard > 0) bytes = bytes.subarray(binaryHeaderLength(bytes));
      if (shard < last && bytes.length >= 2) bytes = bytes.subarray(0, bytes.length - 2);
      return bytes;
    });
  }
}

export function copyDataFrame(payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(5);
  head[0] = COPY_DATA;
  head.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}
