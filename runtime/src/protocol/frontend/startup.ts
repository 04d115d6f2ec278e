import { StartupRequestCode } from '../codes.js';
import { MalformedMessageError } from '../malformed-message.js';
import { Reader } from '../reader.js';
import { SqlState } from '../sqlstate.js';

// Decoders for the untyped startup-phase packets. Frames are (buf, start, end) as the framer hands
// them out: buf[start] is the first byte of the length word, the request code follows, and the body
// starts at start + 8.

const reader = new Reader();

/** What an untyped packet asks for, by its request code. */
export const enum StartupPacketKind {
  StartupMessage = 0,
  SSLRequest = 1,
  GSSENCRequest = 2,
  CancelRequest = 3,
}

export function startupPacketKind(requestCode: number): StartupPacketKind {
  switch (requestCode) {
    case StartupRequestCode.SSLRequest:
      return StartupPacketKind.SSLRequest;
    case StartupRequestCode.GSSENCRequest:
      return StartupPacketKind.GSSENCRequest;
    case StartupRequestCode.CancelRequest:
      return StartupPacketKind.CancelRequest;
    default:
      // Anything else is a protocol version; negotiateProtocol() decides whether it is one we speak.
      return StartupPacketKind.StartupMessage;
  }
}

export interface StartupMessage {
  /** (major << 16) | minor. */
  readonly protocolVersion: number;
  /** Every name/value pair except the `_pq_.` protocol options, in arrival order. */
  readonly parameters: Map<string, string>;
  /** `_pq_.`-prefixed pairs: protocol extensions, not run-time parameters. */
  readonly protocolOptions: Map<string, string>;
  readonly user: string | undefined;
  /** As sent, or the user name when absent (PostgreSQL's default). */
  readonly database: string | undefined;
  readonly applicationName: string | undefined;
  /** Command-line style options (`-c name=value ...`), unparsed. */
  readonly options: string | undefined;
  /** Raw value of `replication` ("true", "database", ...): a pooler normally refuses these. */
  readonly replication: string | undefined;
}

/**
 * Decodes a StartupMessage. The returned strings are copies, so the result outlives the frame.
 * A missing `user` is reported as undefined: the caller answers 28000 "no PostgreSQL user name
 * specified in startup packet" as PostgreSQL does.
 */
export function readStartupMessage(buf: Buffer, start: number, end: number): StartupMessage {
  reader.setBuffer(buf, start + 4, end);
  const protocolVersion = reader.int32();
  const parameters = new Map<string, string>();
  const protocolOptions = new Map<string, string>();
  for (;;) {
    if (reader.remaining === 0) {
      throw new MalformedMessageError('invalid startup packet layout: expected terminator as last byte');
    }
    const name = reader.cstring();
    if (name === '') break;
    if (reader.remaining === 0) {
      throw new MalformedMessageError('invalid startup packet layout: expected terminator as last byte');
    }
    const value = reader.cstring();
    if (name.startsWith('_pq_.')) protocolOptions.set(name, value);
    else parameters.set(name, value);
  }
  if (reader.remaining !== 0) {
    throw new MalformedMessageError('invalid startup packet layout: expected terminator as last byte');
  }
  const user = parameters.get('user');
  return {
    protocolVersion,
    parameters,
    protocolOptions,
    user,
    database: parameters.get('database') ?? user,
    applicationName: parameters.get('application_name'),
    options: parameters.get('options'),
    replication: parameters.get('replication'),
  };
}

/** The newest protocol version this proxy speaks to clients. */
export const PROTOCOL_VERSION_3_0 = (3 << 16) | 0;

export type ProtocolDecision =
  | { readonly action: 'accept' }
  /** Send NegotiateProtocolVersion with these values, then carry on with the session. */
  | { readonly action: 'negotiate'; readonly version: number; readonly unrecognizedOptions: readonly string[] }
  /** Send a FATAL ErrorResponse and close. */
  | { readonly action: 'reject'; readonly sqlstate: string; readonly message: string };

/**
 * PostgreSQL's rule: a different major version is refused (0A000); a newer 3.x minor version, or
 * any `_pq_.` option, is answered with NegotiateProtocolVersion naming the version we will use and
 * the options we ignore, after which the session proceeds.
 */
export function negotiateProtocol(
  protocolVersion: number,
  protocolOptions: ReadonlyMap<string, string>,
  newest: number = PROTOCOL_VERSION_3_0,
): ProtocolDecision {
  const major = protocolVersion >>> 16;
  const minor = protocolVersion & 0xffff;
  if (major !== newest >>> 16) {
    return {
      action: 'reject',
      sqlstate: SqlState.FeatureNotSupported,
      message: `unsupported frontend protocol ${major}.${minor}: server supports ${newest >>> 16}.0 to ${newest >>> 16}.${newest & 0xffff}`,
    };
  }
  if (minor > (newest & 0xffff) || protocolOptions.size > 0) {
    return {
      action: 'negotiate',
      version: Math.min(protocolVersion, newest),
      unrecognizedOptions: [...protocolOptions.keys()],
    };
  }
  return { action: 'accept' };
}

export interface CancelRequest {
  readonly processId: number;
  /** A copy: cancel handling is asynchronous (it connects to a server). 4 bytes in protocol 3.0. */
  readonly secretKey: Buffer;
}

/** Decodes a CancelRequest; protocol 3.2 allows secret keys of 4 to 256 bytes. */
export function readCancelRequest(buf: Buffer, start: number, end: number): CancelRequest {
  const keyLength = end - start - 12;
  if (keyLength < 4 || keyLength > 256) throw new MalformedMessageError('invalid length of query cancel packet');
  reader.setBuffer(buf, start + 8, end);
  const processId = reader.int32();
  return { processId, secretKey: Buffer.from(reader.rest()) };
}
