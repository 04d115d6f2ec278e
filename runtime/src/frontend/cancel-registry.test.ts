import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CancelRegistry } from './cancel-registry.js';

function target(): { cancelRunningQuery(): void; calls: number } {
  const t = { calls: 0, cancelRunningQuery: () => void t.calls++ };
  return t;
}

describe('CancelRegistry', () => {
  it('issues unique process ids with 4-byte secrets', () => {
    const reg = new CancelRegistry();
    const keys = Array.from({ length: 1000 }, () => reg.register(target()));
    assert.equal(new Set(keys.map((k) => k.processId)).size, 1000);
    for (const k of keys) {
      assert.ok(k.processId > 0 && k.processId <= 0x7fffffff);
      assert.equal(k.secretKey.length, 4);
    }
    assert.equal(reg.size, 1000);
  });

  it('delivers a request with the right key to that session only', () => {
    const reg = new CancelRegistry();
    const a = target();
    const b = target();
    const ka = reg.register(a);
    reg.register(b);
    assert.equal(reg.cancel(ka.processId, ka.secretKey), true);
    assert.equal(a.calls, 1);
    assert.equal(b.calls, 0);
  });

  it('ignores a wrong secret, a wrong length, an unknown id, and a session that is gone', () => {
    const reg = new CancelRegistry();
    const a = target();
    const k = reg.register(a);
    const wrong = Buffer.from(k.secretKey);
    wrong[0] ^= 1;
    assert.equal(reg.cancel(k.processId, wrong), false);
    assert.equal(reg.cancel(k.processId, Buffer.concat([k.secretKey, Buffer.from([0])])), false);
    assert.equal(reg.cancel(k.processId + 1, k.secretKey), false);
    reg.unregister(k.processId);
    assert.equal(reg.cancel(k.processId, k.secretKey), false);
    assert.equal(a.calls, 0);
    assert.equal(reg.size, 0);
  });

  it('with worker slots, issues only ids of its own residue and relays the others', () => {
    const relayed: [number, string][] = [];
    const slot = (index: number) => ({ index, count: 3, relay: (pid: number, secret: Uint8Array) => void relayed.push([pid, Buffer.from(secret).toString('hex')]) });
    const regs = [0, 1, 2].map((i) => new CancelRegistry(slot(i)));
    const targets = [target(), target(), target()];
    const keys = regs.map((reg, i) => Array.from({ length: 500 }, (_, n) => reg.register(n === 0 ? targets[i] : target())));
    keys.forEach((list, i) => {
      assert.equal(new Set(list.map((k) => k.processId)).size, 500);
      for (const k of list) {
        assert.equal(k.processId % 3, i);
        assert.ok(k.processId > 0 && k.processId <= 0x7fffffff);
      }
    });
    // A request for worker 2's session that reached worker 0: relayed, not matched here.
    const k2 = keys[2][0];
    assert.equal(regs[0].cancel(k2.processId, k2.secretKey), false);
    assert.deepEqual(relayed, [[k2.processId, Buffer.from(k2.secretKey).toString('hex')]]);
    assert.equal(targets[2].calls, 0);
    // Where it is relayed to, it is delivered (and never relayed again).
    assert.equal(regs[2].cancelHere(k2.processId, k2.secretKey), true);
    assert.equal(targets[2].calls, 1);
    assert.equal(regs[1].cancelHere(k2.processId, k2.secretKey), false);
    assert.equal(relayed.length, 1);
    // Its own sessions are cancelled in place.
    const k1 = keys[1][0];
    assert.equal(regs[1].cancel(k1.processId, k1.secretKey), true);
    assert.equal(targets[1].calls, 1);
    assert.equal(relayed.length, 1);
  });
});
