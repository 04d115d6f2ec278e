import { BackendCode, FrontendCode } from '../protocol/codes.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';

// Numeric codes, read once: the enums are imported, so each use would otherwise be a property load.
const QUERY = FrontendCode.Query;
const SYNC = FrontendCode.Sync;
const FUNCTION_CALL = FrontendCode.FunctionCall;
const EXECUTE = FrontendCode.Execute;
const COPY_DONE = FrontendCode.CopyDone;
const COPY_FAIL = FrontendCode.CopyFail;
const COPY_DATA = FrontendCode.CopyData;
const READY = BackendCode.ReadyForQuery;
const ERROR = BackendCode.ErrorResponse;
const COPY_IN = BackendCode.CopyInResponse;

/**
 * Where a client's conversation with its server stands, from frame headers alone: how many
 * requests still await their ReadyForQuery, the last transaction status, and whether a COPY FROM
 * STDIN is running. A server may leave its client only at a ReadyForQuery with nothing outstanding.
 *
 * Query, FunctionCall and Sync are each answered by one ReadyForQuery, except that PostgreSQL
 * ignores Sync during COPY FROM STDIN: a Sync the client sent behind the Execute (or Query) that
 * started the COPY is not answered, nor is one sent before CopyDone / CopyFail.
 */
export class TransactionTracker {
  /** Requests sent and not yet answered with ReadyForQuery. */
  outstanding: number;
  /** Status byte of the last ReadyForQuery. */
  status: number;
  /** Extended-protocol frames since the last Query/Sync: a batch not yet closed by Sync. */
  unsynced: number;
  /** An ErrorResponse arrived since the last ReadyForQuery. */
  serverErrorSeen: boolean;
  private syncsSinceRequest: number;
  private copyIn: boolean;

  constructor() {
    this.outstanding = 0;
    this.status = TransactionStatus.Idle;
    this.unsynced = 0;
    this.serverErrorSeen = false;
    this.syncsSinceRequest = 0;
    this.copyIn = false;
  }

  /** A COPY FROM STDIN is running (the server waits for CopyData / CopyDone / CopyFail). */
  get inCopy(): boolean {
    return this.copyIn;
  }

  /** Nothing outstanding and not inside a transaction block. */
  get idle(): boolean {
    return this.outstanding === 0 && this.status === TransactionStatus.Idle && !this.copyIn;
  }

  /** A frame the client sends to the server. */
  client(code: number): void {
    if (code === SYNC) {
      if (!this.copyIn) {
        this.outstanding++;
        this.syncsSinceRequest++;
      }
      this.unsynced = 0;
    } else if (code === QUERY || code === FUNCTION_CALL) {
      this.outstanding++;
      this.syncsSinceRequest = 0;
      this.unsynced = 0;
    } else if (code === EXECUTE) {
      this.syncsSinceRequest = 0;
      this.unsynced++;
    } else if (code === COPY_DONE || code === COPY_FAIL) {
      this.copyIn = false;
    } else if (code !== COPY_DATA) {
      this.unsynced++;
    }
  }

  /** A frame from the server; true at a ReadyForQuery that leaves nothing outstanding. */
  server(code: number, statusByte: number): boolean {
    if (code === READY) {
      this.status = statusByte;
      this.serverErrorSeen = false;
      this.copyIn = false;
      if (this.outstanding > 0) this.outstanding--;
      return this.outstanding === 0;
    }
    if (code === ERROR) {
      this.serverErrorSeen = true;
    } else if (code === COPY_IN) {
      this.copyIn = true;
      this.outstanding = Math.max(0, this.outstanding - this.syncsSinceRequest);
      this.syncsSinceRequest = 0;
    }
    return false;
  }

  /**
   * The server went away or never came: every request is answered locally (one ReadyForQuery
   * each). Returns how many; an unfinished extended batch must then be skipped up to its Sync.
   */
  abandon(): number {
    const n = this.outstanding;
    this.outstanding = 0;
    this.status = TransactionStatus.Idle;
    this.serverErrorSeen = false;
    this.syncsSinceRequest = 0;
    this.copyIn = false;
    return n;
  }
}
