import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementKey, statementKeyFromBytes } from './client-statements.js';

test('statementKey gives the key of the name as a frame carries it, for every kind of name', () => {
  const names = ['', 's1', 'x'.repeat(62), 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(200), 'ü', 'é'.repeat(40), `${'a'.repeat(62)}é`];
  for (const name of names) {
    const bytes = Buffer.from(name, 'utf8');
    assert.equal(statementKey(name), statementKeyFromBytes(bytes, 0, bytes.length), JSON.stringify(name));
  }
  // PostgreSQL's 63-byte prefix: two names that differ after it are the same statement.
  assert.equal(statementKey(`${'n'.repeat(63)}A`), statementKey(`${'n'.repeat(63)}B`));
});
