import { BackendCode } from '../codes.js';
import { MalformedMessageError } from '../malformed-message.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// Authentication 'R': an int32 request type, then type-specific data.

export const enum AuthenticationType {
  Ok = 0,
  KerberosV5 = 2,
  CleartextPassword = 3,
  MD5Password = 5,
  GSS = 7,
  GSSContinue = 8,
  SSPI = 9,
  SASL = 10,
  SASLContinue = 11,
  SASLFinal = 12,
}

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
export const SCRAM_SHA_256_PLUS = 'SCRAM-SHA-256-PLUS';

export function writeAuthenticationOk(w: MessageWriter): MessageWriter {
  return w.begin(BackendCode.Authentication).int32(AuthenticationType.Ok).end();
}

export function writeAuthenticationCleartextPassword(w: MessageWriter): MessageWriter {
  return w.begin(BackendCode.Authentication).int32(AuthenticationType.CleartextPassword).end();
}

/** `salt` must be the 4 random bytes the client mixes into its MD5 answer. */
export function writeAuthenticationMD5Password(w: MessageWriter, salt: Uint8Array): MessageWriter {
  if (salt.length !== 4) throw new RangeError('MD5 salt must be 4 bytes');
  return w.begin(BackendCode.Authentication).int32(AuthenticationType.MD5Password).bytes(salt).end();
}

/** Offers SASL mechanisms in order of preference (normally just SCRAM-SHA-256). */
export function writeAuthenticationSASL(w: MessageWriter, mechanisms: readonly string[]): MessageWriter {
  if (mechanisms.length === 0) throw new RangeError('at least one SASL mechanism is required');
  w.begin(BackendCode.Authentication).int32(AuthenticationType.SASL);
  for (const m of mechanisms) w.cstring(m);
  return w.byte(0).end();
}

/** SCRAM server-first-message. */
export function writeAuthenticationSASLContinue(w: MessageWriter, data: Uint8Array | string): MessageWriter {
  w.begin(BackendCode.Authentication).int32(AuthenticationType.SASLContinue);
  return (typeof data === 'string' ? w.string(data) : w.bytes(data)).end();
}

/** SCRAM server-final-message. */
export function writeAuthenticationSASLFinal(w: MessageWriter, data: Uint8Array | string): MessageWriter {
  w.begin(BackendCode.Authentication).int32(AuthenticationType.SASLFinal);
  return (typeof data === 'string' ? w.string(data) : w.bytes(data)).end();
}

/** A server's authentication request, as the proxy sees it when logging in to PostgreSQL. */
export type AuthenticationRequest =
  | { readonly type: AuthenticationType.Ok }
  | { readonly type: AuthenticationType.CleartextPassword }
  /** `salt` is a view of the frame. */
  | { readonly type: AuthenticationType.MD5Password; readonly salt: Buffer }
  | { readonly type: AuthenticationType.SASL; readonly mechanisms: string[] }
  /** `data` is a view of the frame. */
  | { readonly type: AuthenticationType.SASLContinue | AuthenticationType.SASLFinal; readonly data: Buffer }
  /** Kerberos, GSS, SSPI and anything newer: the proxy cannot answer these. */
  | { readonly type: 'unsupported'; readonly code: number };

const reader = new Reader();

export function readAuthentication(buf: Buffer, start: number, end: number): AuthenticationRequest {
  reader.setBuffer(buf, start + 5, end);
  const code = reader.int32();
  switch (code) {
    case AuthenticationType.Ok:
    case AuthenticationType.CleartextPassword:
      reader.expectEnd();
      return { type: code };
    case AuthenticationType.MD5Password: {
      const salt = reader.bytes(4);
      reader.expectEnd();
      return { type: code, salt };
    }
    case AuthenticationType.SASL: {
      const mechanisms: string[] = [];
      for (;;) {
        const m = reader.cstring();
        if (m === '') break;
        mechanisms.push(m);
      }
      reader.expectEnd();
      if (mechanisms.length === 0) throw new MalformedMessageError('AuthenticationSASL lists no mechanism');
      return { type: code, mechanisms };
    }
    case AuthenticationType.SASLContinue:
    case AuthenticationType.SASLFinal:
      return { type: code, data: reader.rest() };
    default:
      return { type: 'unsupported', code };
  }
}
