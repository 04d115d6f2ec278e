// The pool's own statements on a detached server (ROLLBACK, DISCARD ALL, health checks): one
// simple Query, its results collected as text until ReadyForQuery.

import { BackendCode, FrontendCode } from '../protocol/codes.js';
import { readCommandComplete } from '../protocol/backend/command-complete.js';
import { readDataRow } from '../protocol/backend/data-row.js';
import { readyForQueryStatus, type TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import { ServerError, serverErrorFromResponse } from './server-error.js';
import { timerDelay } from './timer-delay.js';

export interface InternalResult {
  /** Rows of every statement, text format; NULL is null. */
  readonly rows: (string | null)[][];
  readonly commandTags: string[];
  /** Transaction status from the closing ReadyForQuery. */
  readonly status: TransactionStatus;
}

const writer = new MessageWriter(256);

export function queryMessage(sql: string): Buffer {
  writer.begin(FrontendCode.Query).cstring(sql).end();
  return writer.take();
}

/**
 * One statement in flight: collects its results and settles `done` at ReadyForQuery, with the
 * server's error, or with 57014 past the timeout (the caller then closes the connection, whose
 * protocol state is unknown).
 */
export class InternalQuery {
  readonly sql: string;
  readonly done: Promise<InternalResult>;
  private readonly rows: (string | null)[][];
  private readonly tags: string[];
  private error: ServerError | null;
  private settled: boolean;
  private resolve!: (r: InternalResult) => void;
  private reject!: (e: ServerError) => void;
  private readonly timer: NodeJS.Timeout;

  constructor(sql: string, timeoutMs: number, onTimeout: (err: ServerError) => void) {
    this.sql = sql;
    this.rows = [];
    this.tags = [];
    this.error = null;
    this.settled = false;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(() => {
      const err = new ServerError(SqlState.QueryCanceled, `pgdog: "${sql}" did not finish within ${timeoutMs} ms; server connection closed`);
      this.fail(err);
      onTimeout(err);
    }, timerDelay(timeoutMs));
  }

  /** One server frame; true at ReadyForQuery, when `done` has settled. Decoding faults throw. */
  onMessage(code: number, buf: Buffer, start: number, end: number): boolean {
    switch (code) {
      case BackendCode.DataRow:
        this.rows.push(readDataRow(buf, start, end).map((v) => (v === null ? null : v.toString('utf8'))));
        return false;
      case BackendCode.CommandComplete:
        this.tags.push(readCommandComplete(buf, start, end));
        return false;
      case BackendCode.ErrorResponse:
        // The first error aborts the rest of a multi-statement query; keep it.
        this.error ??= serverErrorFromResponse(buf, start, end);
        return false;
      case BackendCode.ReadyForQuery:
        if (this.error !== null) this.fail(this.error);
        else this.settle(() => this.resolve({ rows: this.rows, commandTags: this.tags, status: readyForQueryStatus(buf, start) }));
        return true;
      default:
        // RowDescription, EmptyQueryResponse, notices, ParameterStatus: nothing to keep.
        return false;
    }
  }

  /** The connection went away first. */
  fail(err: ServerError): void {
    this.settle(() => this.reject(err));
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    action();
  }
}
