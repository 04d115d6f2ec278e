import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { BalanceSettings, HostSpec } from '../config/snapshot.js';
import { HostGroup } from './host-group.js';

const settings = (split: BalanceSettings['split']): BalanceSettings => ({ strategy: 'random', split, aggressive: false, banTimeoutMs: 60_000, healthcheckTimeoutMs: 1000 });
const host = (role: HostSpec['role'], port: number): HostSpec => ({ host: '127.0.0.1', port, databaseName: 'app', shard: 0, role, entry: {} as HostSpec['entry'] });

describe('HostGroup.order', () => {
  it('gives a one-host choice again without recomputing it, until the bans change', () => {
    const g = new HostGroup('app', 0, [host('primary', 1), host('replica', 2)], settings('include_primary_if_replica_banned'), pino({ enabled: false }));
    const p = g.order('primary');
    assert.deepEqual(p, { ok: true, hosts: [0] });
    assert.equal(g.order('primary'), p, 'the same answer object: nothing was recomputed');
    const r = g.order('replica');
    assert.deepEqual(r, { ok: true, hosts: [1] });
    assert.equal(g.order('replica'), r);
    // The replica is banned: reads go to the primary from now on, not to the answer kept before.
    g.failed(1, { kind: 'connect_failed', message: 'refused' });
    assert.equal(g.isBanned(1), true);
    assert.deepEqual(g.order('replica'), { ok: true, hosts: [0] });
    assert.deepEqual(g.order('primary'), { ok: true, hosts: [0] });
  });
});
