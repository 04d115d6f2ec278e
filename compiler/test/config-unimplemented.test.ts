import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unimplementedKeys } from '@pgdog/schemas';
import { expandPattern, unimplementedFindings, type UnimplementedEntry } from '../src/config/unimplemented.js';

const entries: UnimplementedEntry[] = [
  { file: 'pgdog', pointer: '/general/workers', reason: 'one event loop' },
  { file: 'pgdog', pointer: '/databases/*/role', values: ['auto'], reason: 'no LSN checks' },
  { file: 'users', pointer: '/users/*/identity', reason: 'no mTLS' },
];

test('expandPattern matches any array index for *', () => {
  const doc = { databases: [{ role: 'primary' }, {}, { role: 'auto' }] };
  assert.deepEqual(expandPattern(doc, '/databases/*/role'), [
    { pointer: '/databases/0/role', value: 'primary' },
    { pointer: '/databases/2/role', value: 'auto' },
  ]);
  assert.deepEqual(expandPattern(doc, '/general/workers'), []);
});

test('a key is reported where it is written, and only for its listed values', () => {
  const doc = { general: { workers: 4 }, databases: [{ role: 'primary' }, { role: 'auto' }] };
  const fs = unimplementedFindings('pgdog', doc, entries);
  assert.deepEqual(fs.map((f) => [f.code, f.pointer, f.anchor]), [
    ['W_UNIMPLEMENTED', '/general/workers', 'key'],
    ['W_UNIMPLEMENTED', '/databases/1/role', 'key'],
  ]);
  assert.equal(fs[1].params.key, 'databases[1].role = "auto"');
});

test('entries of the other file are ignored', () => {
  assert.deepEqual(unimplementedFindings('pgdog', { users: [{ identity: 'x' }] }, entries), []);
  assert.equal(unimplementedFindings('users', { users: [{ identity: 'x' }] }, entries).length, 1);
});

test('the quick start uses nothing unimplemented', () => {
  const quickstart = { general: { host: '0.0.0.0', port: 6432 }, servers: [{ name: 'pgdog', host: '127.0.0.1' }] };
  assert.deepEqual(unimplementedFindings('pgdog', quickstart, unimplementedKeys), []);
});
