// Logging in to PostgreSQL: answers whatever Authentication request the server sends (trust,
// cleartext, md5, SCRAM-SHA-256 without channel binding). A state machine fed one 'R' frame at a
// time and returning the bytes to send, so it is tested without sockets.
//
// SCRAM is verified both ways: a server whose SASLFinal signature does not prove it knows the
// password (or that says AuthenticationOk before proving it) is refused, since it could be an
// impostor collecting the client's queries.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationType, SCRAM_SHA_256, readAuthentication, type AuthenticationRequest } from '../protocol/backend/auth.js';
import { FrontendCode } from '../protocol/codes.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import { ServerError } from '../backend/server-error.js';
import { isMd5Hash, md5Password, md5SaltedResponse } from './md5.js';
import { scramKeys, scramSaltedPassword } from './scram-verifier.js';

export interface ServerCredentials {
  readonly user: string;
  /** null: only trust can succeed. A stored md5 hash ("md5" + 32 hex) works for md5 servers. */
  readonly password: string | null;
}

export interface ServerLoginOptions {
  /** The client nonce (printable, no ','); random by default. Tests pin it. */
  clientNonce?: () => string;
  /** User name inside the SCRAM messages; PostgreSQL ignores it, so libpq and we send ''. */
  scramUser?: string;
}

export type ServerAuthMethod = 'trust' | 'password' | 'md5' | 'scram-sha-256';

const enum State {
  Start,
  PasswordSent,
  ScramFirstSent,
  ScramFinalSent,
  ScramVerified,
  Done,
}

/** base64("n,,"): GS2 header without channel binding, as echoed in client-final-message. */
const GS2_HEADER = 'n,,';
const CHANNEL_BINDING = 'biws';

const writer = new MessageWriter(256);

export class ServerLogin {
  private readonly creds: ServerCredentials;
  private readonly options: ServerLoginOptions;
  private state: State;
  private chosen: ServerAuthMethod | null;
  private clientFirstBare: string;
  private clientNonce: string;
  private expectedServerSignature: Buffer | null;

  constructor(creds: ServerCredentials, options: ServerLoginOptions = {}) {
    this.creds = creds;
    this.options = options;
    this.state = State.Start;
    this.chosen = null;
    this.clientFirstBare = '';
    this.clientNonce = '';
    this.expectedServerSignature = null;
  }

  /** True once AuthenticationOk arrived after a complete exchange. */
  get authenticated(): boolean {
    return this.state === State.Done;
  }

  /** The method the server asked for, once known. */
  get method(): ServerAuthMethod | null {
    return this.chosen;
  }

  /**
   * Handles one Authentication ('R') frame and returns the message to send back, or null when
   * there is nothing to send (AuthenticationOk, SASLFinal). Throws ServerError when the request
   * cannot or must not be answered.
   */
  handle(buf: Buffer, start: number, end: number): Buffer | null {
    let req: AuthenticationRequest;
    try {
      req = readAuthentication(buf, start, end);
    } catch (e) {
      throw protocolError(`malformed authentication request: ${(e as Error).message}`);
    }
    switch (req.type) {
      case AuthenticationType.Ok:
        return this.onOk();
      case AuthenticationType.CleartextPassword:
        this.expect(State.Start, 'AuthenticationCleartextPassword');
        this.chosen = 'password';
        this.state = State.PasswordSent;
        return passwordMessage(this.requirePassword());
      case AuthenticationType.MD5Password: {
        this.expect(State.Start, 'AuthenticationMD5Password');
        this.chosen = 'md5';
        const password = this.requirePassword();
        const stored = isMd5Hash(password) ? password : md5Password(this.creds.user, password);
        this.state = State.PasswordSent;
        return passwordMessage(md5SaltedResponse(stored, req.salt));
      }
      case AuthenticationType.SASL:
        this.expect(State.Start, 'AuthenticationSASL');
        if (!req.mechanisms.includes(SCRAM_SHA_256)) {
          throw rejected(`server offers no SASL mechanism pgdog supports (${req.mechanisms.join(', ')})`);
        }
        this.chosen = 'scram-sha-256';
        return this.scramFirst();
      case AuthenticationType.SASLContinue:
        this.expect(State.ScramFirstSent, 'AuthenticationSASLContinue');
        return this.scramFinal(req.data.toString('utf8'));
      case AuthenticationType.SASLFinal:
        this.expect(State.ScramFinalSent, 'AuthenticationSASLFinal');
        this.verifyServerFinal(req.data.toString('utf8'));
        return null;
      default:
        throw rejected(`server requested an unsupported authentication method (code ${(req as { code?: number }).code})`);
    }
  }

  private onOk(): null {
    if (this.state === State.Start) this.chosen = 'trust';
    else if (this.state !== State.PasswordSent && this.state !== State.ScramVerified) {
      throw protocolError('server sent AuthenticationOk before completing the SCRAM exchange');
    }
    this.state = State.Done;
    return null;
  }

  private expect(state: State, what: string): void {
    if (this.state !== state) throw protocolError(`unexpected ${what} during authentication`);
  }

  private requirePassword(): string {
    const password = this.creds.password;
    if (password === null) {
      throw new ServerError(SqlState.InvalidAuthorizationSpecification, `pgdog: server requested a password for user "${this.creds.user}" but none is configured`);
    }
    return password;
  }

  private scramFirst(): Buffer {
    this.requirePassword();
    this.clientNonce = this.options.clientNonce?.() ?? randomBytes(18).toString('base64');
    this.clientFirstBare = `n=${saslName(this.options.scramUser ?? '')},r=${this.clientNonce}`;
    const data = Buffer.from(GS2_HEADER + this.clientFirstBare, 'utf8');
    this.state = State.ScramFirstSent;
    writer.begin(FrontendCode.PasswordMessage).cstring(SCRAM_SHA_256).int32(data.length).bytes(data).end();
    return writer.take();
  }

  private scramFinal(serverFirst: string): Buffer {
    const attrs = parseAttributes(serverFirst);
    const nonce = attrs.get('r');
    const saltText = attrs.get('s');
    const iterText = attrs.get('i');
    if (attrs.has('m')) throw protocolError('SCRAM server-first-message has a mandatory extension');
    if (nonce === undefined || saltText === undefined || iterText === undefined) throw protocolError('malformed SCRAM server-first-message');
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw protocolError('SCRAM server nonce does not extend the client nonce');
    }
    const salt = Buffer.from(saltText, 'base64');
    const iterations = Number(iterText);
    if (salt.length === 0 || !/^[1-9][0-9]*$/.test(iterText) || !Number.isSafeInteger(iterations)) {
      throw protocolError('malformed SCRAM salt or iteration count');
    }
    const keys = cachedKeys(this.requirePassword(), salt, iterations);
    const withoutProof = `c=${CHANNEL_BINDING},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = createHmac('sha256', keys.storedKey).update(authMessage).digest();
    const proof = Buffer.alloc(clientSignature.length);
    for (let i = 0; i < proof.length; i++) proof[i] = keys.clientKey[i] ^ clientSignature[i];
    this.expectedServerSignature = createHmac('sha256', keys.serverKey).update(authMessage).digest();
    this.state = State.ScramFinalSent;
    writer.begin(FrontendCode.PasswordMessage).string(`${withoutProof},p=${proof.toString('base64')}`).end();
    return writer.take();
  }

  private verifyServerFinal(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal);
    const error = attrs.get('e');
    if (error !== undefined) throw new ServerError(SqlState.InvalidPassword, `SCRAM authentication failed: ${error}`);
    const v = attrs.get('v');
    const got = v === undefined ? Buffer.alloc(0) : Buffer.from(v, 'base64');
    const want = this.expectedServerSignature as Buffer;
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      throw new ServerError(SqlState.InvalidAuthorizationSpecification, 'pgdog: server failed to prove it knows the SCRAM password (bad server signature); refusing it');
    }
    this.state = State.ScramVerified;
  }
}

function passwordMessage(text: string): Buffer {
  writer.begin(FrontendCode.PasswordMessage).cstring(text).end();
  return writer.take();
}

function protocolError(message: string): ServerError {
  return new ServerError(SqlState.ProtocolViolation, `pgdog: ${message}`);
}

function rejected(message: string): ServerError {
  return new ServerError(SqlState.SqlServerRejectedEstablishmentOfSqlConnection, `pgdog: ${message}`);
}

/** RFC 5802 saslname: ',' and '=' escaped. */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw protocolError('malformed SCRAM message');
    if (!out.has(part[0])) out.set(part[0], part.slice(2));
  }
  return out;
}

type ScramKeys = ReturnType<typeof scramKeys>;

/**
 * PBKDF2 with 4096 rounds blocks the event loop for milliseconds, and a server keeps the same
 * salt per role, so a pool's reconnects derive the keys once. Bounded: oldest entries drop first.
 */
const KEY_CACHE_LIMIT = 256;
const keyCache = new Map<string, ScramKeys>();

function cachedKeys(password: string, salt: Buffer, iterations: number): ScramKeys {
  const id = `${iterations}:${salt.toString('base64')}:${password}`;
  let keys = keyCache.get(id);
  if (keys === undefined) {
    keys = scramKeys(scramSaltedPassword(password, salt, iterations));
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, keys);
  }
  return keys;
}
