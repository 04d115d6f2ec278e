import { MalformedMessageError } from '../protocol/malformed-message.js';
import { SqlState } from '../protocol/sqlstate.js';
import {
  StartupPacketKind,
  negotiateProtocol,
  readCancelRequest,
  readStartupMessage,
  startupPacketKind,
  type StartupMessage,
} from '../protocol/frontend/startup.js';

// The startup phase as a decision: given one untyped packet and what the connection knows, say
// what to do. The session performs the effect (answer a byte, upgrade to TLS, forward a cancel,
// start authentication, or send a FATAL error and close).

export interface StartupContext {
  /** A certificate is configured. */
  readonly tlsAvailable: boolean;
  /** The connection already runs TLS. */
  readonly tlsActive: boolean;
  /** tls_client_required. */
  readonly tlsRequired: boolean;
  /** Bytes received after this packet and not yet processed. */
  readonly pendingBytes: number;
}

export interface StartupRefusal {
  readonly sqlstate: string;
  readonly message: string;
}

export type StartupAction =
  /** Answer 'S' and start TLS, or 'N' and carry on in plain text. */
  | { readonly kind: 'ssl'; readonly accept: boolean }
  /** GSSAPI encryption is not offered: answer 'N' and carry on. */
  | { readonly kind: 'gssenc' }
  | { readonly kind: 'cancel'; readonly processId: number; readonly secretKey: Buffer }
  /** Close without a word (a malformed CancelRequest: PostgreSQL answers nothing to those). */
  | { readonly kind: 'drop' }
  | {
      readonly kind: 'login';
      readonly startup: StartupMessage;
      readonly user: string;
      readonly database: string;
      /** Protocol negotiation to announce first (a newer 3.x minor, or `_pq_.` options). */
      readonly negotiate: { readonly version: number; readonly unrecognizedOptions: readonly string[] } | null;
    }
  | ({ readonly kind: 'fatal' } & StartupRefusal);

function fatal(sqlstate: string, message: string): StartupAction {
  return { kind: 'fatal', sqlstate, message };
}

/** Decides how to answer one startup-phase packet (buf[start, end), length word included). */
export function decideStartupPacket(requestCode: number, buf: Buffer, start: number, end: number, ctx: StartupContext): StartupAction {
  switch (startupPacketKind(requestCode)) {
    case StartupPacketKind.SSLRequest:
      // Plaintext queued behind an SSLRequest would be read as if it came through TLS.
      if (ctx.pendingBytes > 0) return fatal(SqlState.ProtocolViolation, 'received unencrypted data after SSL request');
      if (ctx.tlsActive) return fatal(SqlState.ProtocolViolation, 'SSLRequest received on an encrypted connection');
      return { kind: 'ssl', accept: ctx.tlsAvailable };
    case StartupPacketKind.GSSENCRequest:
      if (ctx.pendingBytes > 0) return fatal(SqlState.ProtocolViolation, 'received unencrypted data after GSSAPI encryption request');
      return { kind: 'gssenc' };
    case StartupPacketKind.CancelRequest:
      try {
        const cancel = readCancelRequest(buf, start, end);
        return { kind: 'cancel', processId: cancel.processId, secretKey: cancel.secretKey };
      } catch (e) {
        if (e instanceof MalformedMessageError) return { kind: 'drop' };
        throw e;
      }
    case StartupPacketKind.StartupMessage:
      return decideStartupMessage(buf, start, end, ctx);
  }
}

function decideStartupMessage(buf: Buffer, start: number, end: number, ctx: StartupContext): StartupAction {
  let startup: StartupMessage;
  try {
    startup = readStartupMessage(buf, start, end);
  } catch (e) {
    if (e instanceof MalformedMessageError) return fatal(e.sqlstate, e.message);
    throw e;
  }
  const protocol = negotiateProtocol(startup.protocolVersion, startup.protocolOptions);
  if (protocol.action === 'reject') return fatal(protocol.sqlstate, protocol.message);
  const user = startup.user;
  if (user === undefined || user === '') {
    return fatal(SqlState.InvalidAuthorizationSpecification, 'no PostgreSQL user name specified in startup packet');
  }
  if (ctx.tlsRequired && !ctx.tlsActive) {
    return fatal(SqlState.InvalidAuthorizationSpecification, `connection for user "${user}" requires TLS (tls_client_required)`);
  }
  if (isReplicationRequest(startup.replication)) {
    return fatal(SqlState.FeatureNotSupported, 'replication connections are not supported through pgdog');
  }
  const database = startup.database === undefined || startup.database === '' ? user : startup.database;
  const negotiate = protocol.action === 'negotiate' ? { version: protocol.version, unrecognizedOptions: protocol.unrecognizedOptions } : null;
  return { kind: 'login', startup, user, database, negotiate };
}

/** PostgreSQL's parse_bool plus "database": anything but a false value asks for replication. */
function isReplicationRequest(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.toLowerCase();
  return !(v === 'false' || v === 'off' || v === 'no' || v === '0' || v === 'f' || v === 'n');
}
