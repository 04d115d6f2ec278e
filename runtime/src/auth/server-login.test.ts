import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MessageWriter } from '../protocol/writer.js';
import {
  writeAuthenticationCleartextPassword,
  writeAuthenticationMD5Password,
  writeAuthenticationOk,
  writeAuthenticationSASL,
  writeAuthenticationSASLContinue,
  writeAuthenticationSASLFinal,
} from '../protocol/backend/auth.js';
import { readPasswordMessage, readSASLInitialResponse, readSASLResponse } from '../protocol/frontend/password.js';
import { BackendCode } from '../protocol/codes.js';
import { ServerError } from '../backend/server-error.js';
import { ServerLogin } from './server-login.js';

const w = new MessageWriter();
const frame = (write: (w: MessageWriter) => unknown): Buffer => {
  write(w);
  return Buffer.from(w.take());
};
const feed = (login: ServerLogin, f: Buffer): Buffer | null => login.handle(f, 0, f.length);

// RFC 7677 section 3: user "user", password "pencil".
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

function rfcLogin(): ServerLogin {
  return new ServerLogin({ user: 'user', password: 'pencil' }, { clientNonce: () => CLIENT_NONCE, scramUser: 'user' });
}

function assertServerError(fn: () => unknown, sqlstate: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ServerError && e.sqlstate === sqlstate && pattern.test(e.message));
}

describe('ServerLogin', () => {
  it('trust: AuthenticationOk straight away', () => {
    const login = new ServerLogin({ user: 'u', password: null });
    assert.equal(feed(login, frame(writeAuthenticationOk)), null);
    assert.equal(login.authenticated, true);
    assert.equal(login.method, 'trust');
  });

  it('cleartext: sends the password as a PasswordMessage', () => {
    const login = new ServerLogin({ user: 'u', password: 'sëcret' });
    const reply = feed(login, frame(writeAuthenticationCleartextPassword)) as Buffer;
    assert.equal(reply[0], 0x70);
    assert.equal(readPasswordMessage(reply, 0, reply.length), 'sëcret');
    assert.equal(login.authenticated, false);
    feed(login, frame(writeAuthenticationOk));
    assert.equal(login.authenticated, true);
  });

  it('md5: md5(md5(password + user) + salt), from a plaintext or a stored hash', () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');
    const inner = md5('pw' + 'alice');
    const expected = 'md5' + md5(Buffer.concat([Buffer.from(inner), salt]));
    for (const password of ['pw', 'md5' + inner]) {
      const login = new ServerLogin({ user: 'alice', password });
      const reply = feed(login, frame((x) => writeAuthenticationMD5Password(x, salt))) as Buffer;
      assert.equal(readPasswordMessage(reply, 0, reply.length), expected);
      assert.equal(login.method, 'md5');
    }
  });

  it('SCRAM-SHA-256: reproduces the RFC 7677 exchange and accepts the server signature', () => {
    const login = rfcLogin();
    const first = feed(login, frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']))) as Buffer;
    const initial = readSASLInitialResponse(first, 0, first.length);
    assert.equal(initial.mechanism, 'SCRAM-SHA-256');
    assert.equal(initial.data?.toString(), `n,,n=user,r=${CLIENT_NONCE}`);
    const final = feed(login, frame((x) => writeAuthenticationSASLContinue(x, SERVER_FIRST))) as Buffer;
    assert.equal(readSASLResponse(final, 0, final.length).toString(), CLIENT_FINAL);
    assert.equal(feed(login, frame((x) => writeAuthenticationSASLFinal(x, SERVER_FINAL))), null);
    assert.equal(login.authenticated, false);
    feed(login, frame(writeAuthenticationOk));
    assert.equal(login.authenticated, true);
  });

  it('SCRAM: sends an empty user name and no channel binding by default', () => {
    const login = new ServerLogin({ user: 'user', password: 'pencil' }, { clientNonce: () => 'abc' });
    const first = feed(login, frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256']))) as Buffer;
    assert.equal(readSASLInitialResponse(first, 0, first.length).data?.toString(), 'n,,n=,r=abc');
  });

  it('SCRAM: refuses a server whose final signature is wrong', () => {
    const login = rfcLogin();
    feed(login, frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256'])));
    feed(login, frame((x) => writeAuthenticationSASLContinue(x, SERVER_FIRST)));
    const forged = 'v=' + Buffer.alloc(32, 7).toString('base64');
    assertServerError(() => feed(login, frame((x) => writeAuthenticationSASLFinal(x, forged))), '28000', /bad server signature/);
  });

  it('SCRAM: refuses AuthenticationOk before the server proved itself', () => {
    const login = rfcLogin();
    feed(login, frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256'])));
    feed(login, frame((x) => writeAuthenticationSASLContinue(x, SERVER_FIRST)));
    assertServerError(() => feed(login, frame(writeAuthenticationOk)), '08P01', /before completing the SCRAM exchange/);
  });

  it('SCRAM: refuses a server nonce that does not extend ours, and a bad server-first-message', () => {
    for (const [serverFirst, pattern] of [
      ['r=someoneelse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /nonce/],
      [`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, /nonce/],
      [`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0`, /iteration/],
      [`r=${CLIENT_NONCE}x,i=4096`, /malformed/],
      ['garbage', /malformed/],
    ] as const) {
      const login = rfcLogin();
      feed(login, frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256'])));
      assertServerError(() => feed(login, frame((x) => writeAuthenticationSASLContinue(x, serverFirst))), '08P01', pattern);
    }
  });

  it('SCRAM: an e= server-final-message is a failed login', () => {
    const login = rfcLogin();
    feed(login, frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256'])));
    feed(login, frame((x) => writeAuthenticationSASLContinue(x, SERVER_FIRST)));
    assertServerError(() => feed(login, frame((x) => writeAuthenticationSASLFinal(x, 'e=invalid-proof'))), '28P01', /invalid-proof/);
  });

  it('refuses mechanisms it does not speak, unsupported methods, and requests out of order', () => {
    assertServerError(() => feed(new ServerLogin({ user: 'u', password: 'p' }), frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256-PLUS']))), '08004', /no SASL mechanism/);
    const gss = frame((x) => x.begin(BackendCode.Authentication).int32(7).end());
    assertServerError(() => feed(new ServerLogin({ user: 'u', password: 'p' }), gss), '08004', /unsupported authentication method \(code 7\)/);
    assertServerError(() => feed(new ServerLogin({ user: 'u', password: 'p' }), frame((x) => writeAuthenticationSASLContinue(x, SERVER_FIRST))), '08P01', /unexpected AuthenticationSASLContinue/);
    const twice = new ServerLogin({ user: 'u', password: 'p' });
    feed(twice, frame(writeAuthenticationCleartextPassword));
    assertServerError(() => feed(twice, frame(writeAuthenticationCleartextPassword)), '08P01', /unexpected AuthenticationCleartextPassword/);
  });

  it('a password request without a configured password is a clear error', () => {
    for (const request of [frame(writeAuthenticationCleartextPassword), frame((x) => writeAuthenticationMD5Password(x, Buffer.alloc(4))), frame((x) => writeAuthenticationSASL(x, ['SCRAM-SHA-256']))]) {
      assertServerError(() => feed(new ServerLogin({ user: 'bob', password: null }), request), '28000', /password for user "bob" but none is configured/);
    }
  });

  it('a malformed Authentication frame is a protocol violation', () => {
    const truncated = frame((x) => x.begin(BackendCode.Authentication).int16(0).end());
    assertServerError(() => feed(new ServerLogin({ user: 'u', password: 'p' }), truncated), '08P01', /malformed authentication request/);
  });
});
