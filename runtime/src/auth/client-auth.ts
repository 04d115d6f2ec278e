// Client authentication for one session: pgdog acting as the PostgreSQL server. The session hands
// over the client's frames through an AuthChannel; this module decides what to ask for and whether
// the answers are right, then sends AuthenticationOk. Failures come back as a FATAL error for the
// session to send before it closes the connection; nothing here logs or echoes a password.
//
// Unknown users, users without a usable secret and wrong passwords all go through the same
// messages and the same amount of work and end with the same 28P01 text, so a client cannot tell
// which case it hit.
//
// Method choice per user:
//   scram  SCRAM-SHA-256 from plaintexts (derived, cached) and/or a SCRAM password_hash.
//   md5    md5 from plaintexts and/or an md5 password_hash. A user whose only secret is a SCRAM
//          hash cannot do md5 (the hash does not contain md5(password + user)), so, as PostgreSQL
//          does for an md5 pg_hba line and a SCRAM-stored password, that user is asked for SCRAM.
//          Unknown users get md5, the common case of a plaintext password in users.toml.
//   plain  cleartext, checked by deriving a SCRAM verifier from it with the user's salt (one
//          PBKDF2 for every attempt, known user or not) and, for an md5 hash, md5(password + user).
//   trust  AuthenticationOk at once for a known user.

import { randomBytes } from 'node:crypto';
import { FrontendCode } from '../protocol/codes.js';
import { MessageWriter } from '../protocol/writer.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MalformedMessageError } from '../protocol/malformed-message.js';
import { AUTH_MESSAGE_LIMIT } from '../protocol/length-limits.js';
import { readPasswordMessage, readSASLInitialResponse, readSASLResponse } from '../protocol/frontend/password.js';
import {
  SCRAM_SHA_256,
  writeAuthenticationCleartextPassword,
  writeAuthenticationMD5Password,
  writeAuthenticationOk,
  writeAuthenticationSASL,
  writeAuthenticationSASLContinue,
  writeAuthenticationSASLFinal,
} from '../protocol/backend/auth.js';
import { constantTimeEqual } from './constant-time.js';
import { checkMd5Response, isMd5Hash, md5HashesFor, md5Password } from './md5.js';
import { parseScramVerifier } from './scram-verifier.js';
import { passwordFailedMessage, startScram, type ScramError } from './scram-server.js';
import {
  defaultScramVerifierCache,
  deriveScramVerifierAsync,
  mockScramVerifier,
  scramParametersFor,
  type ClientCredentials,
  type ScramVerifierCache,
} from './scram-credentials.js';

export type { ClientCredentials } from './scram-credentials.js';

export type ClientAuthMethod = 'scram' | 'md5' | 'plain' | 'trust';

/** The session's side of the exchange: frames go out as encoded, client frames come in copied. */
export interface AuthChannel {
  send(buf: Buffer): void;
  /** The next client frame: its type byte and its body (after the length word). Rejects when the client is gone. */
  next(): Promise<{ code: number; body: Buffer }>;
}

export interface ClientAuthRequest {
  readonly user: string;
  /** Carried for the caller's context; whether (user, database) has a pool is the session's check. */
  readonly database: string;
}

export interface ClientAuthError {
  readonly sqlstate: string;
  readonly message: string;
  readonly severity: 'FATAL';
  readonly detail?: string;
}

export type ClientAuthResult = { ok: true } | { ok: false; error: ClientAuthError };

export interface ClientAuthOptions {
  /** Whole-exchange deadline (login timeout); none when absent. */
  readonly timeoutMs?: number;
  /** Largest accepted 'p' message, counted as its length word is (PostgreSQL: 65535). */
  readonly maxMessageLength?: number;
  /** Where derived SCRAM verifiers are kept; the process-wide cache by default. */
  readonly cache?: ScramVerifierCache;
}

/** Unwinds the exchange with the error the client gets. */
class AuthAbort extends Error {
  constructor(readonly error: ScramError) {
    super(error.message);
  }
}

/** A frame body comes without its 5-byte header; the protocol decoders take a frame start and skip one. */
const HEADER = 5;

function decode<T>(decoder: (buf: Buffer, start: number, end: number) => T, body: Buffer): T {
  return decoder(body, -HEADER, body.length);
}

/**
 * Runs the exchange for `method` and sends AuthenticationOk on success. On failure nothing more is
 * sent: the caller sends the returned FATAL error and closes the connection. Resolves, never
 * rejects, for anything the client does (wrong answers, malformed or oversized messages, timeout,
 * disconnect); it rejects only if `channel.send` throws.
 */
export async function authenticateClient(
  channel: AuthChannel,
  request: ClientAuthRequest,
  lookup: (user: string) => ClientCredentials | undefined,
  method: ClientAuthMethod,
  opts: ClientAuthOptions = {},
): Promise<ClientAuthResult> {
  const credentials = lookup(request.user);
  const w = new MessageWriter(256);
  if (method === 'trust') {
    // Trust asks for nothing, so there is no exchange to disguise: PostgreSQL's own answer applies.
    if (credentials === undefined) return failure({ sqlstate: SqlState.InvalidAuthorizationSpecification, message: `role "${request.user}" does not exist` });
    channel.send(writeAuthenticationOk(w).take());
    return { ok: true };
  }
  const io = new AuthIo(channel, w, opts.timeoutMs, opts.maxMessageLength ?? AUTH_MESSAGE_LIMIT);
  const cache = opts.cache ?? defaultScramVerifierCache;
  try {
    switch (effectiveMethod(method, credentials)) {
      case 'scram':
        await scramExchange(io, request.user, credentials, cache);
        break;
      case 'md5':
        await md5Exchange(io, request.user, credentials);
        break;
      case 'plain':
        await cleartextExchange(io, request.user, credentials, cache);
        break;
    }
    io.send(writeAuthenticationOk(w));
    return { ok: true };
  } catch (e) {
    if (e instanceof AuthAbort) return failure(e.error);
    if (e instanceof MalformedMessageError) return failure({ sqlstate: e.sqlstate, message: e.message });
    throw e;
  } finally {
    io.close();
  }
}

function failure(error: ScramError): ClientAuthResult {
  return { ok: false, error: { ...error, severity: 'FATAL' } };
}

/** md5 needs a plaintext or an md5 hash; a user with only a SCRAM hash is switched to SCRAM. */
export function effectiveMethod(method: Exclude<ClientAuthMethod, 'trust'>, credentials: ClientCredentials | undefined): 'scram' | 'md5' | 'plain' {
  if (method !== 'md5' || credentials === undefined) return method;
  const md5Capable = credentials.passwords.some((p) => p !== '') || (credentials.passwordHash !== undefined && isMd5Hash(credentials.passwordHash));
  const scramHash = credentials.passwordHash !== undefined && parseScramVerifier(credentials.passwordHash) !== null;
  return !md5Capable && scramHash ? 'scram' : 'md5';
}

async function scramExchange(io: AuthIo, user: string, credentials: ClientCredentials | undefined, cache: ScramVerifierCache): Promise<void> {
  // Derivation (cold cache only) overlaps the client's first round trip.
  const secrets = cache.secretsFor(user, credentials);
  secrets.catch(() => {});
  io.send(writeAuthenticationSASL(io.w, [SCRAM_SHA_256]));
  const initial = decode(readSASLInitialResponse, await io.receive('SASL'));
  if (initial.mechanism !== SCRAM_SHA_256) {
    throw new AuthAbort({ sqlstate: SqlState.ProtocolViolation, message: 'client selected an invalid SASL authentication mechanism' });
  }
  const { verifiers } = await secrets;
  const exchange = verifiers.length > 0
    ? startScram(verifiers, { user })
    : startScram(mockScramVerifier(user), { user, doomed: true });
  let clientFirst = initial.data;
  if (clientFirst === null) {
    // No initial response: an empty challenge asks the client for it (RFC 4422, as PostgreSQL does).
    io.send(writeAuthenticationSASLContinue(io.w, ''));
    clientFirst = decode(readSASLResponse, await io.receive('SASL'));
  }
  const first = exchange.serverFirst(clientFirst);
  if (!first.ok) throw new AuthAbort(first.error);
  io.send(writeAuthenticationSASLContinue(io.w, first.message));
  const final = exchange.serverFinal(decode(readSASLResponse, await io.receive('SASL')));
  if (!final.ok) throw new AuthAbort(final.error);
  writeAuthenticationSASLFinal(io.w, final.serverFinalMessage);
}

async function md5Exchange(io: AuthIo, user: string, credentials: ClientCredentials | undefined): Promise<void> {
  const salt = randomBytes(4);
  io.send(writeAuthenticationMD5Password(io.w, salt));
  const response = decode(readPasswordMessage, await io.receive('password'));
  const hashes = credentials ? md5HashesFor(user, credentials.passwords, credentials.passwordHash) : [];
  if (!checkMd5Response(response, hashes, salt)) throw new AuthAbort(passwordFailedMessage(user));
}

async function cleartextExchange(io: AuthIo, user: string, credentials: ClientCredentials | undefined, cache: ScramVerifierCache): Promise<void> {
  io.send(writeAuthenticationCleartextPassword(io.w));
  const password = decode(readPasswordMessage, await io.receive('password'));
  const { salt, iterations } = scramParametersFor(user, credentials);
  const [given, secrets] = await Promise.all([
    deriveScramVerifierAsync(password, salt, iterations),
    cache.secretsFor(user, credentials),
  ]);
  let ok = false;
  for (const v of secrets.verifiers) {
    // Both keys, as a verifier is only equal when both are; `&&` would skip the second compare.
    const same = Number(constantTimeEqual(v.storedKey, given.storedKey)) & Number(constantTimeEqual(v.serverKey, given.serverKey));
    ok = same === 1 || ok;
  }
  const storedMd5 = credentials?.passwordHash !== undefined && isMd5Hash(credentials.passwordHash) ? credentials.passwordHash : null;
  // Computed for every user, so an md5 hash costs no more or less than its absence.
  const md5Ok = constantTimeEqual(md5Password(user, password), storedMd5 ?? NO_MD5_HASH) && storedMd5 !== null;
  // No known user has an empty password (PostgreSQL treats one as none), so an empty answer always fails.
  if (!(ok || md5Ok) || password === '' || credentials === undefined) throw new AuthAbort(passwordFailedMessage(user));
}

/** Sends, and receives 'p' frames under the deadline and the size limit. */
class AuthIo {
  private timer: NodeJS.Timeout | null = null;
  private readonly expired: Promise<null> | null;

  constructor(
    private readonly channel: AuthChannel,
    readonly w: MessageWriter,
    timeoutMs: number | undefined,
    private readonly maxMessageLength: number,
  ) {
    this.expired = timeoutMs === undefined ? null : new Promise((resolve) => { this.timer = setTimeout(() => resolve(null), timeoutMs); });
  }

  send(w: MessageWriter): void {
    this.channel.send(w.take());
  }

  /** The body of the next frame, which must be a 'p' message. */
  async receive(expected: 'password' | 'SASL'): Promise<Buffer> {
    let next: Promise<{ code: number; body: Buffer }>;
    try {
      next = this.channel.next();
    } catch {
      throw new AuthAbort(CLIENT_GONE);
    }
    // Whichever loses the race below must not surface later as an unhandled rejection.
    next.catch(() => {});
    let frame: { code: number; body: Buffer } | null;
    try {
      frame = await (this.expired === null ? next : Promise.race([next, this.expired]));
    } catch {
      throw new AuthAbort(CLIENT_GONE);
    }
    if (frame === null) throw new AuthAbort({ sqlstate: SqlState.QueryCanceled, message: 'canceling authentication due to timeout' });
    if (frame.code !== FrontendCode.PasswordMessage) {
      throw new AuthAbort({ sqlstate: SqlState.ProtocolViolation, message: `expected ${expected} response, got message type ${frame.code}` });
    }
    if (frame.body.length + 4 > this.maxMessageLength) throw new AuthAbort({ sqlstate: SqlState.ProtocolViolation, message: 'invalid message length' });
    return frame.body;
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
  }
}

const NO_MD5_HASH = 'md5' + '0'.repeat(32);
const CLIENT_GONE: ScramError = { sqlstate: SqlState.ConnectionFailure, message: 'connection to client lost' };
