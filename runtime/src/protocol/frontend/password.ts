import { Reader } from '../reader.js';

// 'p' carries three different messages; only the authentication exchange in progress tells which,
// so the session picks the decoder.

const reader = new Reader();

/** PasswordMessage: the cleartext password, or "md5" + hex digest, NUL-terminated. */
export function readPasswordMessage(buf: Buffer, start: number, end: number): string {
  reader.setBuffer(buf, start + 5, end);
  const password = reader.cstring();
  reader.expectEnd();
  return password;
}

export interface SASLInitialResponse {
  readonly mechanism: string;
  /** The client-first-message; null when the client sent length -1. A view of the frame. */
  readonly data: Buffer | null;
}

export function readSASLInitialResponse(buf: Buffer, start: number, end: number): SASLInitialResponse {
  reader.setBuffer(buf, start + 5, end);
  const mechanism = reader.cstring();
  const length = reader.int32();
  const data = length === -1 ? null : reader.bytes(length);
  reader.expectEnd();
  return { mechanism, data };
}

/** SASLResponse: the whole body is mechanism data (SCRAM's client-final-message). A view of the frame. */
export function readSASLResponse(buf: Buffer, start: number, end: number): Buffer {
  return buf.subarray(start + 5, end);
}
