// The SCRAM secrets a user is checked against, built from users.toml credentials.
//
// One SCRAM exchange announces ONE salt and iteration count, and the client's proof is bound to
// them, so a proof can only be checked against verifiers that share both. A user with several
// passwords (`password`, `passwords`, a SCRAM `password_hash`) therefore gets all plaintext
// verifiers derived with the same parameters:
//   - the salt and iterations of the user's SCRAM `password_hash` when there is one (the hash
//     cannot be re-salted, the plaintexts can), otherwise
//   - a salt derived from the user name and a per-process secret, and 4096 iterations.
// Unknown users get a mock verifier whose salt comes from that same per-user function, so the
// server-first-message looks alike whether the user exists or not, and stays the same across
// attempts for one name (as PostgreSQL's mock authentication does).
//
// PBKDF2 is the expensive step (4096 rounds per password), so derived verifiers are cached per
// (user, salt, iterations, password). Derivation is asynchronous (libuv thread pool) so a cold cache
// never blocks the event loop; `warmScramVerifiers` lets the snapshot builder pay it up front, so
// no first login is measurably slower than an unknown user's.

import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { scramPasswordBytes } from './saslprep.js';
import { SCRAM_ITERATIONS, SCRAM_SALT_BYTES, parseScramVerifier, scramKeys, type ScramVerifier } from './scram-verifier.js';

const pbkdf2Async = promisify(pbkdf2);

/** Credentials of one user as users.toml gives them. */
export interface ClientCredentials {
  /** Plaintexts from `password` and `passwords`. */
  readonly passwords: readonly string[];
  /** `password_hash`: `SCRAM-SHA-256$...` or `md5...`. */
  readonly passwordHash?: string;
}

/** The verifiers a SCRAM exchange checks, all sharing `salt` and `iterations`. */
export interface ScramSecrets {
  readonly salt: Buffer;
  readonly iterations: number;
  /** Empty when the user has nothing SCRAM can use (no plaintext, no SCRAM hash). */
  readonly verifiers: readonly ScramVerifier[];
}

let processSecret: Buffer = randomBytes(32);

/**
 * Replaces the per-process secret behind user salts and mock verifiers (tests, or a deployment
 * that wants salts stable across restarts). Clears nothing: cached verifiers are keyed by salt.
 */
export function setScramSaltSecret(secret: Uint8Array): void {
  if (secret.length < 16) throw new RangeError('the SCRAM salt secret must have at least 16 bytes');
  processSecret = Buffer.from(secret);
}

/** The salt for a user without a SCRAM hash, and for an unknown user: deterministic per name. */
export function scramUserSalt(user: string): Buffer {
  return createHmac('sha256', processSecret).update('salt\0').update(user, 'utf8').digest().subarray(0, SCRAM_SALT_BYTES);
}

/**
 * A verifier for a user that does not exist or cannot use SCRAM. Its keys come from no password at
 * all; the exchange that uses it is run as doomed and fails at the proof check.
 */
export function mockScramVerifier(user: string): ScramVerifier {
  const keyFor = (label: string) => createHmac('sha256', processSecret).update(label).update(user, 'utf8').digest();
  return { iterations: SCRAM_ITERATIONS, salt: scramUserSalt(user), storedKey: keyFor('stored\0'), serverKey: keyFor('server\0') };
}

/** Salt and iterations every verifier of this user must share. */
export function scramParametersFor(user: string, credentials: ClientCredentials | undefined): { salt: Buffer; iterations: number; hashVerifier: ScramVerifier | null } {
  const hashVerifier = credentials?.passwordHash !== undefined ? parseScramVerifier(credentials.passwordHash) : null;
  if (hashVerifier) return { salt: hashVerifier.salt, iterations: hashVerifier.iterations, hashVerifier };
  return { salt: scramUserSalt(user), iterations: SCRAM_ITERATIONS, hashVerifier: null };
}

/** A verifier derived off the event loop. */
export async function deriveScramVerifierAsync(password: string, salt: Buffer, iterations: number): Promise<ScramVerifier> {
  const salted = await pbkdf2Async(scramPasswordBytes(password), salt, iterations, 32, 'sha256');
  const { storedKey, serverKey } = scramKeys(salted);
  return { iterations, salt, storedKey, serverKey };
}

/** Bounded cache of derived verifiers. Keys are digests, so the map holds no plaintext. */
export class ScramVerifierCache {
  private readonly entries = new Map<string, Promise<ScramVerifier>>();

  constructor(private readonly maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The verifier of one password with these parameters; derived once, concurrent callers share it. */
  verifier(user: string, password: string, salt: Buffer, iterations: number): Promise<ScramVerifier> {
    const key = createHash('sha256').update(user, 'utf8').update('\0').update(salt).update(`\0${iterations}\0`).update(password, 'utf8').digest('base64');
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Re-insert so eviction drops the least recently used entry.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = deriveScramVerifierAsync(password, salt, iterations);
    pending.catch(() => this.entries.delete(key));
    this.entries.set(key, pending);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return pending;
  }

  /** Every SCRAM verifier of a user (see the header comment for why they share one salt). */
  async secretsFor(user: string, credentials: ClientCredentials | undefined): Promise<ScramSecrets> {
    const { salt, iterations, hashVerifier } = scramParametersFor(user, credentials);
    // Empty passwords never log in, as in PostgreSQL, where an empty password means none.
    const plaintexts = (credentials?.passwords ?? []).filter((p) => p !== '');
    const derived = await Promise.all(plaintexts.map((p) => this.verifier(user, p, salt, iterations)));
    return { salt, iterations, verifiers: hashVerifier ? [...derived, hashVerifier] : derived };
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide cache used when a caller does not bring its own. */
export const defaultScramVerifierCache = new ScramVerifierCache();

/** Derives (and caches) a user's verifiers ahead of the first login; call when a snapshot is built. */
export async function warmScramVerifiers(user: string, credentials: ClientCredentials, cache: ScramVerifierCache = defaultScramVerifierCache): Promise<void> {
  await cache.secretsFor(user, credentials);
}
