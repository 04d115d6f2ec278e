// The one error type of the server side: a SQLSTATE plus a message, either relayed from
// PostgreSQL's ErrorResponse (`fromServer`) or raised by pgdog itself (connect failures, timeouts,
// protocol faults). The session turns it into an ErrorResponse for its client in one place.

import { readErrorFields, type ServerErrorFields } from '../protocol/backend/error-response.js';
import { SqlState } from '../protocol/sqlstate.js';

export interface ServerErrorOptions {
  severity?: string;
  detail?: string;
  hint?: string;
  /** The server's full ErrorResponse, when the error came from PostgreSQL. */
  fields?: ServerErrorFields;
  cause?: unknown;
}

export class ServerError extends Error {
  readonly sqlstate: string;
  /** ERROR or FATAL (PostgreSQL's, or ours: FATAL when the connection is gone). */
  readonly severity: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  /** Set when PostgreSQL sent this error; null when pgdog raised it. */
  readonly fields: ServerErrorFields | null;

  constructor(sqlstate: string, message: string, options: ServerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServerError';
    this.sqlstate = sqlstate;
    this.severity = options.severity ?? 'FATAL';
    this.detail = options.detail;
    this.hint = options.hint;
    this.fields = options.fields ?? null;
  }

  get fromServer(): boolean {
    return this.fields !== null;
  }
}

/** A server's ErrorResponse frame as a ServerError carrying its SQLSTATE and text. */
export function serverErrorFromResponse(buf: Buffer, start: number, end: number): ServerError {
  let fields: ServerErrorFields;
  try {
    fields = readErrorFields(buf, start, end);
  } catch {
    return new ServerError(SqlState.ProtocolViolation, 'pgdog: malformed ErrorResponse from server');
  }
  return new ServerError(fields.code ?? SqlState.InternalError, fields.message ?? 'server error without a message', {
    severity: fields.severityNonLocalized ?? fields.severity ?? 'ERROR',
    detail: fields.detail,
    hint: fields.hint,
    fields,
  });
}

/** The connection went away: 08006 with what we know about why. */
export function connectionLost(message: string, cause?: unknown): ServerError {
  return new ServerError(SqlState.ConnectionFailure, message, { cause });
}
