import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startScram, type ScramServerExchange } from './scram-server.js';
import { deriveScramVerifier, parseScramVerifier, createScramVerifier } from './scram-verifier.js';
import { mockScramVerifier, scramUserSalt, setScramSaltSecret } from './scram-credentials.js';
import { scramPasswordBytes } from './saslprep.js';
import { ScramTestClient } from './testing/scram-client.js';

// RFC 7677 section 3.
const RFC = {
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function first(x: ScramServerExchange, message: string | Buffer): string {
  const r = x.serverFirst(message);
  assert.ok(r.ok, JSON.stringify(r));
  return r.message;
}

const FAILED = { sqlstate: '28P01', message: 'password authentication failed for user "user"' };

test('RFC 7677 vector from the password: same server-first, accepts the proof, same server signature', () => {
  const x = startScram('pencil', { user: 'user', serverNonce: RFC.serverNonce, salt: RFC.salt, iterations: 4096 });
  assert.equal(first(x, RFC.clientFirst), RFC.serverFirst);
  assert.deepEqual(x.serverFinal(RFC.clientFinal), { ok: true, serverFinalMessage: RFC.serverFinal });
});

test('RFC 7677 vector from a stored verifier (Buffer input)', () => {
  const verifier = parseScramVerifier(createScramVerifier('pencil', { salt: RFC.salt }));
  assert.ok(verifier);
  const x = startScram(verifier, { user: 'user', serverNonce: RFC.serverNonce });
  assert.equal(first(x, Buffer.from(RFC.clientFirst)), RFC.serverFirst);
  assert.deepEqual(x.serverFinal(Buffer.from(RFC.clientFinal)), { ok: true, serverFinalMessage: RFC.serverFinal });
});

test('RFC 7677 proof with a different password: 28P01, no server signature', () => {
  const x = startScram('pencil2', { user: 'user', serverNonce: RFC.serverNonce, salt: RFC.salt });
  first(x, RFC.clientFirst);
  assert.deepEqual(x.serverFinal(RFC.clientFinal), { ok: false, error: FAILED });
});

test('a flipped proof bit fails', () => {
  const x = startScram('pencil', { user: 'user', serverNonce: RFC.serverNonce, salt: RFC.salt });
  first(x, RFC.clientFirst);
  const proof = Buffer.from(RFC.clientFinal.split(',p=')[1], 'base64');
  proof[31] ^= 1;
  assert.deepEqual(x.serverFinal(`${RFC.clientFinal.split(',p=')[0]},p=${proof.toString('base64')}`), { ok: false, error: FAILED });
});

test('a fresh server nonce: 24 base64 characters appended to the client nonce', () => {
  const x = startScram('pencil', { user: 'user', salt: RFC.salt });
  const m = first(x, RFC.clientFirst);
  assert.match(m, /^r=rOprNGfwEbeRWgbNEkqO[A-Za-z0-9+/]{24},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096$/);
  const y = startScram('pencil', { user: 'user', salt: RFC.salt });
  assert.notEqual(first(y, RFC.clientFirst), m);
});

test('iteration count and salt come from the verifier', () => {
  const v = deriveScramVerifier('pw', Buffer.from('0123456789abcdef'), 1234);
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw') });
  const x = startScram(v, { user: 'u' });
  const serverFirst = first(x, client.clientFirstMessage);
  assert.match(serverFirst, /,s=MDEyMzQ1Njc4OWFiY2RlZg==,i=1234$/);
  const r = x.serverFinal(client.clientFinal(serverFirst));
  assert.ok(r.ok && client.verifyServerFinal(r.serverFinalMessage));
});

test('gs2 flag "y" (client supports channel binding, we offer none) is accepted; c= must echo it', () => {
  const v = deriveScramVerifier('pw');
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw'), gs2Header: 'y,,' });
  const x = startScram(v, { user: 'u' });
  const r = x.serverFinal(client.clientFinal(first(x, client.clientFirstMessage)));
  assert.ok(r.ok);
  const y = startScram(v, { user: 'u' });
  const mismatched = y.serverFinal(client.clientFinal(first(y, client.clientFirstMessage), { channelBinding: 'biws' }));
  assert.deepEqual(mismatched, { ok: false, error: { sqlstate: '08P01', message: 'SCRAM channel binding check failed' } });
});

test('gs2 flag "p" (binding requested but not offered), authzid, mandatory extension are refused', () => {
  const v = deriveScramVerifier('pw');
  const cases: [string, string, string][] = [
    ['p=tls-server-end-point,,n=,r=abc', '08P01', 'malformed SCRAM message'],
    ['n,a=admin,n=,r=abc', '0A000', 'client uses authorization identity, but it is not supported'],
    ['n,,m=ext,n=,r=abc', '0A000', 'client requires an unsupported SCRAM extension'],
    ['x,,n=,r=abc', '08P01', 'malformed SCRAM message'],
  ];
  for (const [message, sqlstate, text] of cases) {
    const r = startScram(v, { user: 'u' }).serverFirst(message);
    assert.equal(r.ok, false, message);
    if (!r.ok) assert.deepEqual([r.error.sqlstate, r.error.message], [sqlstate, text], message);
  }
});

test('truncated or malformed client-first-messages are 08P01 with a detail, never a throw', () => {
  const v = deriveScramVerifier('pw');
  for (const message of ['', 'n', 'n,', 'n,,', 'n,,n=', 'n,,n=u', 'n,,n=u,', 'n,,n=u,r=', 'n,,r=abc', 'n,,n=u,x=abc', 'n,,n=u,r=a\u0001b', 'n,,n=u,r=a\u00e9b', 'nx,n=u,r=a']) {
    const r = startScram(v, { user: 'u' }).serverFirst(message);
    assert.equal(r.ok, false, JSON.stringify(message));
    if (!r.ok) {
      assert.equal(r.error.sqlstate, '08P01', JSON.stringify(message));
      assert.ok(r.error.detail, JSON.stringify(message));
      assert.doesNotMatch(r.error.detail, /[^\x20-\x7e]/);
    }
  }
});

test('client-first extensions after the nonce are ignored; the message user name is ignored', () => {
  const v = deriveScramVerifier('pw');
  const x = startScram(v, { user: 'u' });
  assert.match(first(x, 'n,,n=someone-else,r=abc,x=ext'), /^r=abc/);
});

test('a wrong nonce in client-final is 08P01 "Nonce does not match."', () => {
  const v = deriveScramVerifier('pw');
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw') });
  const x = startScram(v, { user: 'u' });
  const serverFirst = first(x, client.clientFirstMessage);
  const r = x.serverFinal(client.clientFinal(serverFirst, { nonce: client.clientNonce + 'forged' }));
  assert.deepEqual(r, { ok: false, error: { sqlstate: '08P01', message: 'invalid SCRAM response', detail: 'Nonce does not match.' } });
});

test('truncated or malformed client-final-messages are 08P01, never a throw', () => {
  const v = deriveScramVerifier('pw');
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw') });
  const probe = startScram(v, { user: 'u', serverNonce: 'SERVER' });
  const good = client.clientFinal(first(probe, client.clientFirstMessage));
  const proofAt = good.indexOf(',p=');
  const bad = [
    '', 'c', 'c=biws', 'c=biws,', `c=biws,r=${client.clientNonce}SERVER`, good.slice(0, proofAt), good.slice(0, proofAt + 3),
    good.slice(0, -4), good + ',x=1', good.slice(0, proofAt) + ',p=!!!!', good.slice(0, proofAt) + ',p=' + Buffer.alloc(31).toString('base64'),
  ];
  for (const message of bad) {
    const x = startScram(v, { user: 'u', serverNonce: 'SERVER' });
    first(x, client.clientFirstMessage);
    const r = x.serverFinal(message);
    assert.equal(r.ok, false, message);
    if (!r.ok) assert.equal(r.error.sqlstate, '08P01', message);
  }
  // The untouched message passes, so the failures above are due to the damage.
  const x = startScram(v, { user: 'u', serverNonce: 'SERVER' });
  first(x, client.clientFirstMessage);
  assert.ok(x.serverFinal(good).ok);
});

test('extensions between nonce and proof are covered by the signatures', () => {
  const v = deriveScramVerifier('pw');
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw') });
  const x = startScram(v, { user: 'u' });
  const serverFirst = first(x, client.clientFirstMessage);
  // Build a final message with an extension by hand: proof over "c=..,r=..,x=1".
  const withExt = client.clientFinal(serverFirst).replace(',p=', ',x=1,p=');
  const r = x.serverFinal(withExt);
  // The proof was computed without the extension, so it must not verify with it.
  assert.deepEqual(r, { ok: false, error: { sqlstate: '28P01', message: 'password authentication failed for user "u"' } });
});

test('several verifiers sharing salt and iterations: each password verifies, another does not', () => {
  const salt = scramUserSalt('multi');
  const verifiers = ['first', 'second', 'third'].map((p) => deriveScramVerifier(p, salt, 4096));
  for (const [password, expected] of [['first', true], ['second', true], ['third', true], ['fourth', false]] as const) {
    const client = new ScramTestClient({ passwordBytes: Buffer.from(password) });
    const x = startScram(verifiers, { user: 'multi' });
    const r = x.serverFinal(client.clientFinal(first(x, client.clientFirstMessage)));
    assert.equal(r.ok, expected, password);
    if (r.ok) assert.ok(client.verifyServerFinal(r.serverFinalMessage), 'server signature from the matching verifier');
  }
});

test('verifiers with different salts cannot share an exchange', () => {
  assert.throws(() => startScram([deriveScramVerifier('a'), deriveScramVerifier('b')], { user: 'u' }), RangeError);
  assert.throws(() => startScram([], { user: 'u' }), RangeError);
});

test('SASLprep: a non-ASCII space and an NFKC form log in like their prepared password', () => {
  for (const [stored, typed] of [['pass\u00a0word', 'pass word'], ['pass\u2003word', 'pass\u00a0word'], ['\u2168', 'IX'], ['caf\u00e9', 'cafe\u0301'], ['soft\u00adhyphen', 'softhyphen']]) {
    const x = startScram(stored, { user: 'u' });
    const client = new ScramTestClient({ passwordBytes: scramPasswordBytes(typed) });
    const r = x.serverFinal(client.clientFinal(first(x, client.clientFirstMessage)));
    assert.ok(r.ok, `${JSON.stringify(stored)} vs ${JSON.stringify(typed)}`);
  }
  // A client that skips SASLprep and sends the raw UTF-8 of a non-ASCII space fails, as with PostgreSQL.
  const x = startScram('pass\u00a0word', { user: 'u' });
  const raw = new ScramTestClient({ passwordBytes: Buffer.from('pass\u00a0word', 'utf8') });
  assert.equal(x.serverFinal(raw.clientFinal(first(x, raw.clientFirstMessage))).ok, false);
});

test('doomed exchange: same message shapes as a real one, fails at the proof with the same error', () => {
  setScramSaltSecret(Buffer.alloc(32, 9));
  const realSalt = scramUserSalt('ghost');
  const real = startScram(deriveScramVerifier('pw', realSalt, 4096), { user: 'ghost', serverNonce: 'N' });
  const mock = startScram(mockScramVerifier('ghost'), { user: 'ghost', serverNonce: 'N', doomed: true });
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw'), clientNonce: 'C' });
  const realFirst = first(real, client.clientFirstMessage);
  // Same user name, same salt function: the unknown user's server-first is indistinguishable.
  assert.equal(first(mock, client.clientFirstMessage), realFirst);
  assert.ok(real.serverFinal(client.clientFinal(realFirst)).ok);
  const wrong = new ScramTestClient({ passwordBytes: Buffer.from('nope'), clientNonce: 'C' });
  const wrongReal = startScram(deriveScramVerifier('pw', realSalt, 4096), { user: 'ghost', serverNonce: 'N' });
  first(wrongReal, wrong.clientFirstMessage);
  const a = wrongReal.serverFinal(wrong.clientFinal(realFirst));
  const b = mock.serverFinal(client.clientFinal(realFirst));
  assert.deepEqual(a, b);
  assert.deepEqual(b, { ok: false, error: { sqlstate: '28P01', message: 'password authentication failed for user "ghost"' } });
});

test('mock verifiers are deterministic per user and differ between users', () => {
  assert.deepEqual(mockScramVerifier('a'), mockScramVerifier('a'));
  assert.notDeepEqual(mockScramVerifier('a').salt, mockScramVerifier('b').salt);
  assert.equal(mockScramVerifier('a').salt.length, 16);
});

test('out-of-order calls are programming errors', () => {
  const x = startScram(deriveScramVerifier('pw'), { user: 'u' });
  assert.throws(() => x.serverFinal('c=biws'));
  const y = startScram(deriveScramVerifier('pw'), { user: 'u' });
  first(y, 'n,,n=,r=abc');
  assert.throws(() => y.serverFirst('n,,n=,r=abc'));
});

test('doomed fails even when the proof is right for the verifier', () => {
  const v = deriveScramVerifier('pw');
  const client = new ScramTestClient({ passwordBytes: Buffer.from('pw') });
  const x = startScram(v, { user: 'u', doomed: true });
  assert.deepEqual(x.serverFinal(client.clientFinal(first(x, client.clientFirstMessage))), {
    ok: false,
    error: { sqlstate: '28P01', message: 'password authentication failed for user "u"' },
  });
});
