import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { candidatesFor, type HostSlot } from './candidates.js';

const P = (banned = false): HostSlot => ({ role: 'primary', banned });
const R = (banned = false): HostSlot => ({ role: 'replica', banned });

describe('candidatesFor', () => {
  it('writes go to the primary only, banned or not', () => {
    assert.deepEqual(candidatesFor('primary', 'include_primary', [P(), R(), R()]), { ok: true, hosts: [0], lift: [] });
    assert.deepEqual(candidatesFor('primary', 'exclude_primary', [R(), P(true), R()]), { ok: true, hosts: [1], lift: [] });
  });

  it('a write without a primary is refused with a reason', () => {
    const c = candidatesFor('primary', 'include_primary', [R(), R()]);
    assert.equal(c.ok, false);
    assert.match(c.ok ? '' : c.message, /no primary/);
  });

  it('include_primary: reads on replicas and the primary, banned hosts left out', () => {
    assert.deepEqual(candidatesFor('replica', 'include_primary', [P(), R(), R()]), { ok: true, hosts: [0, 1, 2], lift: [] });
    assert.deepEqual(candidatesFor('replica', 'include_primary', [P(), R(true), R()]), { ok: true, hosts: [0, 2], lift: [] });
    assert.deepEqual(candidatesFor('replica', 'include_primary', [P(), R(true), R(true)]), { ok: true, hosts: [0], lift: [] });
  });

  it('exclude_primary: replicas only; all banned lifts their bans rather than refusing', () => {
    assert.deepEqual(candidatesFor('replica', 'exclude_primary', [P(), R(), R()]), { ok: true, hosts: [1, 2], lift: [] });
    assert.deepEqual(candidatesFor('replica', 'exclude_primary', [P(), R(true), R()]), { ok: true, hosts: [2], lift: [] });
    assert.deepEqual(candidatesFor('replica', 'exclude_primary', [P(), R(true), R(true)]), { ok: true, hosts: [1, 2], lift: [1, 2] });
  });

  it('include_primary_if_replica_banned: the primary only once every replica is banned', () => {
    assert.deepEqual(candidatesFor('replica', 'include_primary_if_replica_banned', [P(), R(), R(true)]), { ok: true, hosts: [1], lift: [] });
    assert.deepEqual(candidatesFor('replica', 'include_primary_if_replica_banned', [P(), R(true), R(true)]), { ok: true, hosts: [0], lift: [] });
  });

  it('everything banned (primary too) lifts all bans for reads in include_primary', () => {
    assert.deepEqual(candidatesFor('replica', 'include_primary', [P(true), R(true)]), { ok: true, hosts: [0, 1], lift: [0, 1] });
  });

  it('a read on a database without replicas goes to the primary', () => {
    assert.deepEqual(candidatesFor('replica', 'exclude_primary', [P()]), { ok: true, hosts: [0], lift: [] });
  });

  it('a database of replicas only serves reads from them', () => {
    assert.deepEqual(candidatesFor('replica', 'include_primary', [R(), R()]), { ok: true, hosts: [0, 1], lift: [] });
  });
});
