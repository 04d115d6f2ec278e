// Secret comparisons whose running time does not depend on where (or whether) the inputs differ.

import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string | Uint8Array): Buffer =>
  createHash('sha256').update(typeof value === 'string' ? Buffer.from(value, 'utf8') : value).digest();

/**
 * Equality of two secrets of any lengths. Both sides are hashed first, so the comparison always
 * runs over 32 bytes and a length difference shows up only as a different digest, not as an early
 * return.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** True when `value` equals any candidate; every candidate is compared, none is skipped. */
export function constantTimeIncludes(candidates: readonly (string | Uint8Array)[], value: string | Uint8Array): boolean {
  let found = false;
  for (const candidate of candidates) {
    // The comparison runs before `||` looks at `found`, so an earlier match never skips it.
    found = constantTimeEqual(candidate, value) || found;
  }
  return found;
}
