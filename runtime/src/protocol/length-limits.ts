import { FrontendCode, frontendCodes } from './codes.js';

// Limits on the int32 length word (which counts itself but not the type byte), as PostgreSQL 14+
// applies them in SocketBackend (postgres.c) and the authentication code.

/** PQ_LARGE_MESSAGE_LIMIT: MaxAllocSize - 1. */
export const LARGE_MESSAGE_LIMIT = 0x3fffffff - 1;
/** PQ_SMALL_MESSAGE_LIMIT: messages whose body is a few names at most. */
export const SMALL_MESSAGE_LIMIT = 10000;
/** PG_MAX_AUTH_TOKEN_LENGTH: PasswordMessage and the SASL responses. */
export const AUTH_MESSAGE_LIMIT = 65535;
/** MAX_STARTUP_PACKET_LENGTH (10000 bytes after the length word), as a whole-packet length. */
export const STARTUP_PACKET_LIMIT = 10000 + 4;

/** A limit of this value marks a code that may not appear at all (an unknown message type). */
export const FORBIDDEN = -1;

/** The same limit for every code: for server-to-client streams, where any code may carry bulk data. */
export function uniformLengthLimits(maxMessageLength: number = LARGE_MESSAGE_LIMIT): Int32Array {
  return new Int32Array(256).fill(checkLimit(maxMessageLength));
}

/**
 * Per-code limits for a client-to-server stream, mirroring PostgreSQL: bulk messages (Query, Parse,
 * Bind, FunctionCall, CopyData) up to `maxMessageLength`, the small ones (Sync, Flush, Execute,
 * Describe, Close, CopyDone, CopyFail, Terminate) up to 10000, 'p' up to 65535, and every unknown
 * code forbidden so the framer rejects it at its first byte instead of buffering its body.
 */
export function frontendLengthLimits(maxMessageLength: number = LARGE_MESSAGE_LIMIT): Int32Array {
  const large = checkLimit(maxMessageLength);
  const small = Math.min(SMALL_MESSAGE_LIMIT, large);
  const limits = new Int32Array(256).fill(FORBIDDEN);
  for (const code of frontendCodes()) limits[code] = small;
  limits[FrontendCode.Query] = large;
  limits[FrontendCode.Parse] = large;
  limits[FrontendCode.Bind] = large;
  limits[FrontendCode.FunctionCall] = large;
  limits[FrontendCode.CopyData] = large;
  limits[FrontendCode.PasswordMessage] = Math.min(AUTH_MESSAGE_LIMIT, large);
  return limits;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 4 || limit > 0x7fffffff) {
    throw new RangeError(`message length limit must be an integer in [4, 2^31-1], got ${limit}`);
  }
  return limit;
}
