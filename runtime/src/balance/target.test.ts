import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { needsRouting } from './routing-need.js';
import { serves, target, targetOfRoute } from './target.js';

describe('targets', () => {
  it('are interned', () => {
    assert.equal(target(1, 'replica'), target(1, 'replica'));
    assert.notEqual(target(1, 'replica'), target(1, 'primary'));
  });

  it('a route naming one shard targets it; several or all fall back to shard 0', () => {
    assert.equal(targetOfRoute([2], 'replica'), target(2, 'replica'));
    assert.equal(targetOfRoute([1, 2], 'primary'), target(0, 'primary'));
    assert.equal(targetOfRoute('all', 'replica'), target(0, 'replica'));
  });

  it('a primary serves reads and writes; a replica only reads; never across shards', () => {
    assert.equal(serves(target(0, 'primary'), target(0, 'replica')), true);
    assert.equal(serves(target(0, 'replica'), target(0, 'replica')), true);
    assert.equal(serves(target(0, 'replica'), target(0, 'primary')), false);
    assert.equal(serves(target(0, 'primary'), target(1, 'primary')), false);
  });
});

describe('needsRouting', () => {
  const base = { rules: [], database: 'app', user: 'u' };
  it('one host, one shard, no block rule: pass-through', () => {
    assert.equal(needsRouting({ ...base, shardHosts: [1] }), false);
    assert.equal(needsRouting({ ...base, shardHosts: [1], rules: [{ route: 'replica' }] }), false);
  });

  it('replicas or shards: routing', () => {
    assert.equal(needsRouting({ ...base, shardHosts: [3] }), true);
    assert.equal(needsRouting({ ...base, shardHosts: [1, 1] }), true);
  });

  it('a block rule in scope: routing even for one host', () => {
    assert.equal(needsRouting({ ...base, shardHosts: [1], rules: [{ route: 'block' }] }), true);
    assert.equal(needsRouting({ ...base, shardHosts: [1], rules: [{ route: 'block', database: 'other' }] }), false);
    assert.equal(needsRouting({ ...base, shardHosts: [1], rules: [{ route: 'block', user: 'u' }] }), true);
  });
});
