// The startup phase of a server connection, after the StartupMessage: authentication, then the
// ParameterStatus / BackendKeyData the server announces, until the first ReadyForQuery.

import { ServerLogin, type ServerCredentials, type ServerLoginOptions } from '../auth/server-login.js';
import { BackendCode, StartupRequestCode } from '../protocol/codes.js';
import { readParameterStatus } from '../protocol/backend/parameter-status.js';
import { readBackendKeyData, type BackendKeyData } from '../protocol/backend/backend-key-data.js';
import { readyForQueryStatus, type TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import { ServerError, serverErrorFromResponse } from './server-error.js';

const writer = new MessageWriter(512);

/**
 * StartupMessage for protocol 3.0. `params` are sent as given: PostgreSQL applies any GUC named
 * in the startup packet as the session default, like `-c` in `options` but without quoting.
 */
export function startupMessage(user: string, database: string, params: Readonly<Record<string, string>>): Buffer {
  writer.beginUntyped().int32(StartupRequestCode.ProtocolVersion3);
  writer.cstring('user').cstring(user).cstring('database').cstring(database);
  for (const [name, value] of Object.entries(params)) writer.cstring(name).cstring(value);
  writer.byte(0).end();
  return writer.take();
}

export class StartupPhase {
  readonly params: Map<string, string>;
  backendKey: BackendKeyData | null;
  status: TransactionStatus | null;
  private readonly login: ServerLogin;
  private readonly send: (bytes: Buffer) => void;

  constructor(creds: ServerCredentials, send: (bytes: Buffer) => void, loginOptions?: ServerLoginOptions) {
    this.params = new Map();
    this.backendKey = null;
    this.status = null;
    this.login = new ServerLogin(creds, loginOptions);
    this.send = send;
  }

  get authMethod(): string | null {
    return this.login.method;
  }

  /** One server frame; true once ReadyForQuery ends the phase. Throws ServerError. */
  onMessage(code: number, buf: Buffer, start: number, end: number): boolean {
    switch (code) {
      case BackendCode.Authentication: {
        const reply = this.login.handle(buf, start, end);
        if (reply !== null) this.send(reply);
        return false;
      }
      case BackendCode.ErrorResponse:
        throw serverErrorFromResponse(buf, start, end);
      case BackendCode.ParameterStatus: {
        this.requireAuthenticated('ParameterStatus');
        const p = readParameterStatus(buf, start, end);
        this.params.set(p.name, p.value);
        return false;
      }
      case BackendCode.BackendKeyData:
        this.requireAuthenticated('BackendKeyData');
        this.backendKey = readBackendKeyData(buf, start, end);
        return false;
      case BackendCode.NoticeResponse:
      case BackendCode.NegotiateProtocolVersion:
        // Notices carry nothing we act on; NegotiateProtocolVersion only lists options we never send.
        return false;
      case BackendCode.ReadyForQuery:
        this.requireAuthenticated('ReadyForQuery');
        if (end - start !== 6) throw protocolError('malformed ReadyForQuery');
        this.status = readyForQueryStatus(buf, start);
        return true;
      default:
        throw protocolError(`unexpected message type 0x${code.toString(16)} during startup`);
    }
  }

  private requireAuthenticated(what: string): void {
    if (!this.login.authenticated) throw protocolError(`${what} before authentication completed`);
  }
}

function protocolError(message: string): ServerError {
  return new ServerError(SqlState.ProtocolViolation, `pgdog: ${message}`);
}
