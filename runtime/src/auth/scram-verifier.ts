// SCRAM-SHA-256 verifiers in the form PostgreSQL stores in pg_authid.rolpassword
// (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 fields; RFC 5802 /
// RFC 7677). A verifier lets a server check a client's proof without knowing the password.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { scramPasswordBytes } from './saslprep.js';

/** PostgreSQL's defaults (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
export const SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_BYTES = 16;

export interface ScramVerifier {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** SaltedPassword = Hi(SASLprep(password), salt, i) with Hi = PBKDF2-HMAC-SHA-256. */
export function scramSaltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(scramPasswordBytes(password), salt, iterations, 32, 'sha256');
}

export function scramKeys(saltedPassword: Buffer): { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmac(saltedPassword, 'Client Key');
  return {
    clientKey,
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: hmac(saltedPassword, 'Server Key'),
  };
}

export function deriveScramVerifier(password: string, salt: Buffer = randomBytes(SCRAM_SALT_BYTES), iterations: number = SCRAM_ITERATIONS): ScramVerifier {
  const { storedKey, serverKey } = scramKeys(scramSaltedPassword(password, salt, iterations));
  return { iterations, salt, storedKey, serverKey };
}

export function formatScramVerifier(v: ScramVerifier): string {
  return `SCRAM-SHA-256$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

/** A new verifier with a random salt: what `pgdog hash` prints. */
export function createScramVerifier(password: string, options: { salt?: Buffer; iterations?: number } = {}): string {
  return formatScramVerifier(deriveScramVerifier(password, options.salt, options.iterations));
}

const B64 = '[A-Za-z0-9+/]+={0,2}';
const VERIFIER = new RegExp(`^SCRAM-SHA-256\\$([1-9][0-9]*):(${B64})\\$(${B64}):(${B64})$`);

/** Parses a stored verifier; null if it is not one (wrong form, or keys not 32 bytes). */
export function parseScramVerifier(text: string): ScramVerifier | null {
  const m = VERIFIER.exec(text);
  if (!m) return null;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2], 'base64');
  const storedKey = Buffer.from(m[3], 'base64');
  const serverKey = Buffer.from(m[4], 'base64');
  if (!Number.isSafeInteger(iterations) || salt.length === 0 || storedKey.length !== 32 || serverKey.length !== 32) return null;
  return { iterations, salt, storedKey, serverKey };
}
