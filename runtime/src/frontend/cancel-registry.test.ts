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
});
