// MD5 password authentication as PostgreSQL does it. The stored form is "md5" + md5hex(password +
// user); on the wire the client answers a 4-byte salt with "md5" + md5hex(stored hex + salt), so
// the server needs either the plaintext or that stored hash, never anything SCRAM-derived.

import { createHash } from 'node:crypto';
import { constantTimeIncludes } from './constant-time.js';

const MD5_HASH = /^md5[0-9a-f]{32}$/;

function md5Hex(...parts: (string | Uint8Array)[]): string {
  const h = createHash('md5');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
  return h.digest('hex');
}

/** The stored md5 form: `SELECT 'md5' || md5(password || user)`. */
export function md5Password(user: string, password: string): string {
  return 'md5' + md5Hex(password, user);
}

/**
 * True for a stored md5 hash as PostgreSQL recognises one: "md5" and 32 lower-case hex digits
 * (anything else in a password column is not treated as md5).
 */
export function isMd5Hash(value: string): boolean {
  return MD5_HASH.test(value);
}

/** What a client sends for a stored md5 hash and the server's 4-byte salt. */
export function md5SaltedResponse(storedHash: string, salt: Uint8Array): string {
  if (!isMd5Hash(storedHash)) throw new TypeError('md5SaltedResponse: not an md5 password hash');
  if (salt.length !== 4) throw new RangeError('md5SaltedResponse: salt must be 4 bytes');
  return 'md5' + md5Hex(storedHash.slice(3), salt);
}

/** The stored md5 hashes a user can be checked against: plaintexts hashed, plus an md5 `password_hash`. */
export function md5HashesFor(user: string, passwords: readonly string[], passwordHash: string | undefined): string[] {
  const hashes = passwords.filter((p) => p !== '').map((p) => md5Password(user, p));
  if (passwordHash !== undefined && isMd5Hash(passwordHash)) hashes.push(passwordHash);
  return hashes;
}

/**
 * Checks a client's salted md5 response against every stored hash (no early exit). With no hashes
 * the work is still one md5 and one comparison, like a user with one password.
 */
export function checkMd5Response(response: string, storedHashes: readonly string[], salt: Uint8Array): boolean {
  const expected = storedHashes.map((h) => md5SaltedResponse(h, salt));
  if (expected.length === 0) {
    constantTimeIncludes([md5SaltedResponse('md5' + '0'.repeat(32), salt)], response);
    return false;
  }
  return constantTimeIncludes(expected, response);
}
