import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suggest } from '../src/config/suggest.js';

const general = ['default_pool_size', 'min_pool_size', 'pooler_mode', 'port', 'host', 'healthcheck_interval', 'idle_timeout'];

test('a misspelled key suggests the closest allowed key', () => {
  assert.equal(suggest('default_pool_sise', general), 'default_pool_size');
  assert.equal(suggest('pooler_mod', general), 'pooler_mode');
  assert.equal(suggest('helthcheck_interval', general), 'healthcheck_interval');
});

test('case, dashes and word order do not count as edits', () => {
  assert.equal(suggest('Default-Pool-Size', general), 'default_pool_size');
  assert.equal(suggest('pool_size_default', general), 'default_pool_size');
});

test('two swapped letters count as one edit', () => {
  assert.equal(suggest('shpo', ['shop', 'app']), 'shop');
  assert.equal(suggest('prot', general), 'port');
});

test('nothing is suggested when no candidate is plausibly meant', () => {
  assert.equal(suggest('completely_unrelated', general), undefined);
  assert.equal(suggest('tls', general), undefined);
  assert.equal(suggest('x', []), undefined);
});

test('the word itself is never suggested', () => {
  assert.equal(suggest('port', ['port']), undefined);
});

test('ties are broken alphabetically, so output is stable', () => {
  assert.equal(suggest('bat', ['cat', 'bar']), 'bar');
});
