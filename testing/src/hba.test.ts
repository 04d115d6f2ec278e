import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHba, rulesForUser } from './hba.js';

test('renderHba puts the superuser first, user rules next, replication and md5 catch-all last', () => {
  const text = renderHba([...rulesForUser('Alice', 'scram'), ...rulesForUser('bob', 'trust', ['app', 'all'])], 'postgres');
  const lines = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  assert.deepEqual(lines, [
    ['host', 'all', '"postgres"', '127.0.0.1/32', 'scram-sha-256'],
    ['host', 'all', '"Alice"', '127.0.0.1/32', 'scram-sha-256'],
    ['host', '"app"', '"bob"', '127.0.0.1/32', 'trust'],
    ['host', 'all', '"bob"', '127.0.0.1/32', 'trust'],
    ['host', 'replication', 'all', '127.0.0.1/32', 'md5'],
    ['host', 'all', 'all', '127.0.0.1/32', 'md5'],
  ]);
});

test('rulesForUser maps auth names to pg_hba methods', () => {
  assert.deepEqual(
    (['scram', 'md5', 'password', 'trust'] as const).map((a) => rulesForUser('u', a)[0].method),
    ['scram-sha-256', 'md5', 'password', 'trust'],
  );
});
