import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { writeCommandComplete } from '../protocol/backend/command-complete.js';
import { writeErrorResponse, type ErrorFields } from '../protocol/backend/error-response.js';
import { READY_FOR_QUERY_FAILED, READY_FOR_QUERY_IDLE, READY_FOR_QUERY_IN_TRANSACTION } from '../protocol/constants.js';
import { MessageWriter } from '../protocol/writer.js';
import type { SocketWriter } from '../net/socket-writer.js';

/**
 * Answers pgdog gives in a server's place (a refused statement, a failed checkout, a lost server).
 * They must not overtake answers still coming from the server, so while some are due they wait
 * and follow the server's last ReadyForQuery.
 */
export class LocalReplies {
  private readonly w: MessageWriter;
  private readonly deferred: Buffer[];

  constructor() {
    this.w = new MessageWriter(256);
    this.deferred = [];
  }

  error(fields: ErrorFields): Buffer {
    return writeErrorResponse(this.w, fields).take();
  }

  commandComplete(tag: string): Buffer {
    return writeCommandComplete(this.w, tag).take();
  }

  /** Sends now, or after the server's outstanding answers when `wait` is true. */
  send(out: SocketWriter, frame: Buffer, wait: boolean): void {
    if (wait) this.deferred.push(frame);
    else out.write(frame);
  }

  get waiting(): boolean {
    return this.deferred.length > 0;
  }

  flush(out: SocketWriter): void {
    for (const frame of this.deferred) out.write(frame);
    this.deferred.length = 0;
  }
}

export function readyForQueryFrame(status: number): Buffer {
  if (status === TransactionStatus.InTransaction) return READY_FOR_QUERY_IN_TRANSACTION;
  return status === TransactionStatus.Failed ? READY_FOR_QUERY_FAILED : READY_FOR_QUERY_IDLE;
}
