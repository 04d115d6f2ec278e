import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conninfoValue, renderSettings } from './quote.js';

test('renderSettings quotes strings for postgresql.conf and leaves numbers/booleans bare', () => {
  assert.equal(
    renderSettings({ work_mem: '4MB', max_connections: 50, jit: false, search_path: "a\\b'c" }),
    "work_mem = '4MB'\nmax_connections = 50\njit = false\nsearch_path = 'a\\\\b''c'\n",
  );
  assert.throws(() => renderSettings({ 'x = 1\nfsync': 'on' }), /invalid setting name/);
});

test('conninfoValue escapes quotes and backslashes', () => {
  assert.equal(conninfoValue("p'w\\"), "'p\\'w\\\\'");
});
