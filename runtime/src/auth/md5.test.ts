import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMd5Response, isMd5Hash, md5HashesFor, md5Password, md5SaltedResponse } from './md5.js';
import { constantTimeEqual, constantTimeIncludes } from './constant-time.js';

// Vectors: `SELECT 'md5' || md5(password || user)` on PostgreSQL 15 (UTF-8 database); the live
// comparison is in test/md5-postgres.test.ts.
const VECTORS: [user: string, password: string, hash: string][] = [
  ['user', 'pw', 'md5871c429757b7a0bf1654fad112b77bd4'],
  ['alice', 'secret', 'md54a0a68b43b6cd5cf266fa02f196e2371'],
  ['bob', 'pässwörd', 'md5bb5b6f9e439bdbcffdd12e0ca6e0f232'],
];

test('md5Password matches PostgreSQL', () => {
  for (const [user, password, hash] of VECTORS) assert.equal(md5Password(user, password), hash);
});

test('salted response: md5(stored hex + 4 salt bytes), as libpq computes it', () => {
  assert.equal(md5SaltedResponse('md5871c429757b7a0bf1654fad112b77bd4', Buffer.from([1, 2, 3, 4])), 'md546eacb7412409e1444bde22e56e70744');
  assert.throws(() => md5SaltedResponse('md5871c', Buffer.from([1, 2, 3, 4])), TypeError);
  assert.throws(() => md5SaltedResponse('md5871c429757b7a0bf1654fad112b77bd4', Buffer.from([1, 2, 3])), RangeError);
});

test('isMd5Hash: "md5" and 32 lower-case hex digits only', () => {
  assert.ok(isMd5Hash('md5871c429757b7a0bf1654fad112b77bd4'));
  for (const bad of ['md5871C429757B7A0BF1654FAD112B77BD4', 'md5871c429757b7a0bf1654fad112b77bd', 'MD5871c429757b7a0bf1654fad112b77bd4', 'SCRAM-SHA-256$4096:x$y:z', 'md5871c429757b7a0bf1654fad112b77bd4 ']) {
    assert.equal(isMd5Hash(bad), false, bad);
  }
});

test('checkMd5Response: any stored hash matches, a wrong password or salt does not', () => {
  const salt = Buffer.from([9, 8, 7, 6]);
  const hashes = md5HashesFor('carol', ['one', 'two'], 'md5' + 'a'.repeat(32));
  assert.equal(hashes.length, 3);
  assert.ok(checkMd5Response(md5SaltedResponse(md5Password('carol', 'one'), salt), hashes, salt));
  assert.ok(checkMd5Response(md5SaltedResponse(md5Password('carol', 'two'), salt), hashes, salt));
  assert.ok(checkMd5Response(md5SaltedResponse('md5' + 'a'.repeat(32), salt), hashes, salt));
  assert.equal(checkMd5Response(md5SaltedResponse(md5Password('carol', 'three'), salt), hashes, salt), false);
  assert.equal(checkMd5Response(md5SaltedResponse(md5Password('carol', 'one'), Buffer.from([0, 0, 0, 0])), hashes, salt), false);
  // The user name is part of the hash: the same password for another user does not match.
  assert.equal(checkMd5Response(md5SaltedResponse(md5Password('dave', 'one'), salt), hashes, salt), false);
  assert.equal(checkMd5Response('', hashes, salt), false);
});

test('no stored hashes (unknown user): never matches, even the placeholder', () => {
  const salt = Buffer.from([1, 1, 1, 1]);
  assert.equal(checkMd5Response(md5SaltedResponse('md5' + '0'.repeat(32), salt), [], salt), false);
});

test('md5HashesFor ignores empty plaintexts and a SCRAM hash', () => {
  assert.deepEqual(md5HashesFor('u', ['', 'x'], 'SCRAM-SHA-256$4096:c2FsdA==$a:b'), [md5Password('u', 'x')]);
});

test('constant-time helpers compare values of any length', () => {
  assert.ok(constantTimeEqual('abc', 'abc'));
  assert.equal(constantTimeEqual('abc', 'abcd'), false);
  assert.equal(constantTimeEqual('', 'a'), false);
  assert.ok(constantTimeEqual(Buffer.from('abc'), 'abc'));
  assert.ok(constantTimeIncludes(['a', 'b', 'c'], 'c'));
  assert.ok(constantTimeIncludes(['a', 'b', 'c'], 'a'));
  assert.equal(constantTimeIncludes([], 'a'), false);
});
