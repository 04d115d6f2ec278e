// SCRAM-SHA-256 as the server (RFC 5802, RFC 7677), the way PostgreSQL runs it: pure message in,
// message out, no I/O. The caller frames the messages (AuthenticationSASLContinue / SASLFinal).
//
// Channel binding: we never offer SCRAM-SHA-256-PLUS, so a client may send gs2 flag "n" (no
// support) or "y" (supports it, believes the server does not: true here); "p" asks for binding we
// did not offer and is refused. The user name inside the message is ignored, as in PostgreSQL: the
// StartupMessage's user is the one authenticated.
//
// Messages are handled as latin1 strings so each byte maps to one char and the AuthMessage the
// signatures cover is byte-for-byte what the client sent.

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlState } from '../protocol/sqlstate.js';
import { SCRAM_ITERATIONS, deriveScramVerifier, type ScramVerifier } from './scram-verifier.js';
import { scramUserSalt } from './scram-credentials.js';

/** PostgreSQL's SCRAM_RAW_NONCE_LEN: bytes of randomness in the server's nonce. */
const SERVER_NONCE_BYTES = 18;
const KEY_BYTES = 32;

export interface ScramError {
  readonly sqlstate: string;
  readonly message: string;
  readonly detail?: string;
}

export type ScramFirstResult = { ok: true; message: string } | { ok: false; error: ScramError };
export type ScramFinalResult = { ok: true; serverFinalMessage: string } | { ok: false; error: ScramError };

export interface ScramServerExchange {
  /** Takes the client-first-message, returns the server-first-message. Call once. */
  serverFirst(clientFirstMessage: Buffer | string): ScramFirstResult;
  /** Takes the client-final-message; on a valid proof returns the server-final-message. Call once, after serverFirst. */
  serverFinal(clientFinalMessage: Buffer | string): ScramFinalResult;
}

export interface ScramServerOptions {
  /** The StartupMessage user: named in the 28P01 message, and salts a plaintext secret. */
  readonly user: string;
  /** Server part of the nonce (tests); default 18 random bytes in base64. Printable ASCII without ','. */
  readonly serverNonce?: string;
  /** Run the exchange to the end, then fail (unknown user, or no usable secret). */
  readonly doomed?: boolean;
  /** For a plaintext secret: salt and iterations (default: the user's derived salt, 4096). */
  readonly salt?: Buffer;
  readonly iterations?: number;
}

/** The message PostgreSQL sends for any failed password check; the same for unknown users. */
export function passwordFailedMessage(user: string): ScramError {
  return { sqlstate: SqlState.InvalidPassword, message: `password authentication failed for user "${user}"` };
}

const malformed = (detail: string): ScramError => ({ sqlstate: SqlState.ProtocolViolation, message: 'malformed SCRAM message', detail });

/**
 * Starts an exchange against one password, one verifier, or several verifiers. Several verifiers
 * must share salt and iterations (see scram-credentials.ts); the proof is checked against each.
 * A plaintext is derived here on every call (4096 PBKDF2 rounds): sessions should pass verifiers
 * from a ScramVerifierCache instead.
 */
export function startScram(secret: string | ScramVerifier | readonly ScramVerifier[], options: ScramServerOptions): ScramServerExchange {
  const verifiers: readonly ScramVerifier[] = typeof secret === 'string'
    ? [deriveScramVerifier(secret, options.salt ?? scramUserSalt(options.user), options.iterations ?? SCRAM_ITERATIONS)]
    : Array.isArray(secret) ? secret : [secret as ScramVerifier];
  if (verifiers.length === 0) throw new RangeError('startScram needs at least one verifier (use mockScramVerifier for none)');
  const { salt, iterations } = verifiers[0];
  for (const v of verifiers) {
    if (v.iterations !== iterations || !v.salt.equals(salt)) throw new RangeError('startScram: all verifiers must share salt and iterations');
  }
  const serverNonce = options.serverNonce ?? randomBytes(SERVER_NONCE_BYTES).toString('base64');
  if (!isPrintable(serverNonce) || serverNonce.length === 0) throw new RangeError('server nonce must be printable ASCII without ","');
  return new Exchange(verifiers, serverNonce, options.user, options.doomed === true);
}

type State = 'initial' | 'first-sent' | 'done';

class Exchange implements ScramServerExchange {
  private state: State = 'initial';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirstMessage = '';
  private nonce = '';

  constructor(
    private readonly verifiers: readonly ScramVerifier[],
    private readonly serverNonce: string,
    private readonly user: string,
    private readonly doomed: boolean,
  ) {}

  serverFirst(clientFirstMessage: Buffer | string): ScramFirstResult {
    if (this.state !== 'initial') throw new Error('serverFirst called twice');
    this.state = 'done';
    const parsed = parseClientFirst(asText(clientFirstMessage));
    if ('error' in parsed) return { ok: false, error: parsed.error };
    this.gs2Header = parsed.gs2Header;
    this.clientFirstBare = parsed.bare;
    this.nonce = parsed.clientNonce + this.serverNonce;
    const { salt, iterations } = this.verifiers[0];
    this.serverFirstMessage = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.state = 'first-sent';
    return { ok: true, message: this.serverFirstMessage };
  }

  serverFinal(clientFinalMessage: Buffer | string): ScramFinalResult {
    if (this.state !== 'first-sent') throw new Error('serverFinal called before serverFirst, or twice');
    this.state = 'done';
    const parsed = parseClientFinal(asText(clientFinalMessage));
    if ('error' in parsed) return { ok: false, error: parsed.error };
    if (parsed.channelBinding !== Buffer.from(this.gs2Header, 'latin1').toString('base64')) {
      return { ok: false, error: { sqlstate: SqlState.ProtocolViolation, message: 'SCRAM channel binding check failed' } };
    }
    if (parsed.nonce !== this.nonce) {
      return { ok: false, error: { sqlstate: SqlState.ProtocolViolation, message: 'invalid SCRAM response', detail: 'Nonce does not match.' } };
    }
    const authMessage = Buffer.from(`${this.clientFirstBare},${this.serverFirstMessage},${parsed.withoutProof}`, 'latin1');
    // Every verifier is tried even after a match, and a doomed exchange does the same work, so
    // the time taken says nothing about which secret (if any) matched.
    let matched: ScramVerifier | null = null;
    for (const v of this.verifiers) {
      const signature = createHmac('sha256', v.storedKey).update(authMessage).digest();
      for (let i = 0; i < KEY_BYTES; i++) signature[i] ^= parsed.proof[i];
      const ok = timingSafeEqual(createHash('sha256').update(signature).digest(), v.storedKey);
      if (ok && matched === null) matched = v;
    }
    if (matched === null || this.doomed) return { ok: false, error: passwordFailedMessage(this.user) };
    const serverSignature = createHmac('sha256', matched.serverKey).update(authMessage).digest('base64');
    return { ok: true, serverFinalMessage: `v=${serverSignature}` };
  }
}

function asText(message: Buffer | string): string {
  return typeof message === 'string' ? message : message.toString('latin1');
}

/** RFC 5802 "printable": %x21-2B / %x2D-7E (visible ASCII except ','). */
function isPrintable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x2c) return false;
  }
  return true;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Reads `<name>=<value>` at `pos`, up to the next ',' or the end. */
function attribute(text: string, pos: number, name: string, what: string): { value: string; next: number } | { error: ScramError } {
  if (pos >= text.length) return { error: malformed(`Expected attribute "${name}" but found end of string in ${what}.`) };
  if (text[pos] !== name || text[pos + 1] !== '=') {
    return { error: malformed(`Expected attribute "${name}" but found "${visible(text.slice(pos, pos + 2))}" in ${what}.`) };
  }
  const comma = text.indexOf(',', pos + 2);
  const stop = comma === -1 ? text.length : comma;
  return { value: text.slice(pos + 2, stop), next: comma === -1 ? text.length : comma + 1 };
}

/** Client bytes shown in an error: printable ASCII only, so nothing the client sent is echoed raw. */
function visible(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

interface ClientFirst {
  gs2Header: string;
  bare: string;
  clientNonce: string;
}

function parseClientFirst(text: string): ClientFirst | { error: ScramError } {
  const what = 'client-first-message';
  switch (text[0]) {
    case 'n':
    case 'y':
      break;
    case 'p':
      return { error: malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.') };
    case undefined:
      return { error: malformed(`Unexpected end of ${what}.`) };
    default:
      return { error: malformed(`Unexpected channel-binding flag "${visible(text[0])}".`) };
  }
  if (text[1] !== ',') return { error: malformed(`Comma expected, but found character "${visible(text[1] ?? '')}".`) };
  if (text[2] === 'a') return { error: { sqlstate: SqlState.FeatureNotSupported, message: 'client uses authorization identity, but it is not supported' } };
  if (text[2] !== ',') return { error: malformed(`Unexpected attribute "${visible(text[2] ?? '')}" in ${what}.`) };
  const gs2Header = text.slice(0, 3);
  const bare = text.slice(3);
  if (bare.startsWith('m=')) return { error: { sqlstate: SqlState.FeatureNotSupported, message: 'client requires an unsupported SCRAM extension' } };
  const user = attribute(bare, 0, 'n', what);
  if ('error' in user) return user;
  const nonce = attribute(bare, user.next, 'r', what);
  if ('error' in nonce) return nonce;
  if (nonce.value.length === 0 || !isPrintable(nonce.value)) return { error: malformed('non-printable characters in SCRAM nonce') };
  // Anything after the nonce is an extension; PostgreSQL ignores extensions, and so do we.
  return { gs2Header, bare, clientNonce: nonce.value };
}

interface ClientFinal {
  channelBinding: string;
  nonce: string;
  withoutProof: string;
  proof: Buffer;
}

function parseClientFinal(text: string): ClientFinal | { error: ScramError } {
  const what = 'client-final-message';
  const binding = attribute(text, 0, 'c', what);
  if ('error' in binding) return binding;
  const nonce = attribute(text, binding.next, 'r', what);
  if ('error' in nonce) return nonce;
  // Extensions may sit between the nonce and the proof; the proof is the last attribute.
  let pos = nonce.next;
  while (pos < text.length && !(text[pos] === 'p' && text[pos + 1] === '=')) {
    const comma = text.indexOf(',', pos);
    if (comma === -1) break;
    pos = comma + 1;
  }
  if (pos >= text.length || text[pos] !== 'p') return { error: malformed(`Expected attribute "p" but found end of string in ${what}.`) };
  const proofText = text.slice(pos + 2);
  if (proofText.includes(',')) return { error: malformed('Garbage found at the end of client-final-message.') };
  const proof = BASE64.test(proofText) ? Buffer.from(proofText, 'base64') : null;
  if (proof === null || proof.length !== KEY_BYTES) return { error: malformed('Malformed proof in client-final-message.') };
  return { channelBinding: binding.value, nonce: nonce.value, withoutProof: text.slice(0, pos - 1), proof };
}
