import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createScramVerifier, deriveScramVerifier, formatScramVerifier, parseScramVerifier, scramKeys, scramSaltedPassword } from './scram-verifier.js';
import { saslprep } from './saslprep.js';

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]));

test('RFC 7677 example exchange: the verifier accepts its client proof and yields its server signature', () => {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const v = deriveScramVerifier('pencil', salt, 4096);
  const clientFirstBare = 'n=user,r=rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinalWithoutProof = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
  const authMessage = `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
  const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
  // Server side: ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) must be StoredKey.
  const clientKey = xor(proof, hmac(v.storedKey, authMessage));
  assert.deepEqual(createHash('sha256').update(clientKey).digest(), v.storedKey);
  assert.equal(hmac(v.serverKey, authMessage).toString('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
});

test('the text form is what PostgreSQL stores, and parses back', () => {
  const salt = Buffer.alloc(16, 7);
  const text = createScramVerifier('secret', { salt });
  assert.match(text, /^SCRAM-SHA-256\$4096:BwcHBwcHBwcHBwcHBwcHBw==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  const parsed = parseScramVerifier(text);
  assert.ok(parsed);
  assert.equal(parsed.iterations, 4096);
  assert.deepEqual(parsed.salt, salt);
  assert.equal(formatScramVerifier(parsed), text);
  const { storedKey, serverKey } = scramKeys(scramSaltedPassword('secret', salt, 4096));
  assert.deepEqual([parsed.storedKey, parsed.serverKey], [storedKey, serverKey]);
});

test('every verifier gets a fresh 16-byte salt', () => {
  const a = parseScramVerifier(createScramVerifier('same'));
  const b = parseScramVerifier(createScramVerifier('same'));
  assert.equal(a?.salt.length, 16);
  assert.notDeepEqual(a?.salt, b?.salt);
});

test('parseScramVerifier rejects what is not a verifier', () => {
  for (const bad of [
    'md5abcdef',
    'SCRAM-SHA-256$4096:c2FsdA==$short:short',
    'SCRAM-SHA-256$0:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'A'.repeat(43) + '=',
    'SCRAM-SHA-1$4096:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'A'.repeat(43) + '=',
    '',
  ]) {
    assert.equal(parseScramVerifier(bad), null, bad);
  }
  assert.ok(parseScramVerifier('SCRAM-SHA-256$4096:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'A'.repeat(43) + '='));
});

test('SASLprep: ASCII untouched, spaces mapped, soft hyphen dropped, NFKC', () => {
  assert.equal(saslprep('plain ascii\u0007'), 'plain ascii\u0007');
  assert.equal(saslprep('a\u00a0b'), 'a b');
  assert.equal(saslprep('ab\u00adc'), 'abc');
  assert.equal(saslprep('\u2168'), 'IX');
  assert.equal(saslprep('\u00aa'), 'a');
});

test('SASLprep: prohibited or bidi-invalid strings fall back to raw bytes (null)', () => {
  assert.equal(saslprep('\u00ad'), null); // empty after mapping
  assert.equal(saslprep('a\u0080b'), null); // control character
  assert.equal(saslprep('\ue000x'), null); // private use
  assert.equal(saslprep('\u05d0a'), null); // RandALCat mixed with LCat
  assert.equal(saslprep('\u05d01'), null); // RandALCat string not ending in RandALCat
  assert.equal(saslprep('\u05d0\u05d1'), '\u05d0\u05d1');
});
