import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash64ToHex } from './hash.js';
import { hashHex } from './hex.js';

test('hashHex matches hash64ToHex', () => {
  for (const h of [{ hi: 0, lo: 0 }, { hi: 0xffffffff, lo: 0xffffffff }, { hi: 0x0102, lo: 0xa0b0c0d }, { hi: 0x80000000, lo: 1 }]) {
    assert.equal(hashHex(h), hash64ToHex(h));
  }
  for (let i = 0; i < 1000; i++) {
    const h = { hi: (Math.random() * 2 ** 32) >>> 0, lo: (Math.random() * 2 ** 32) >>> 0 };
    assert.equal(hashHex(h), hash64ToHex(h));
  }
});
