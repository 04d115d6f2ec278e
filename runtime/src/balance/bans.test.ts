import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterCheck, dueForCheck, HEALTHY, lift, onFailure, onSuccess, type BanSettings, type BanState } from './bans.js';

const settings: BanSettings = { banTimeoutMs: 1000, checkoutTimeoutsToBan: 3 };
const refused = { kind: 'connect_failed' as const, message: 'connect ECONNREFUSED 127.0.0.1:5433' };
const three = (): readonly BanState[] => [HEALTHY, HEALTHY, HEALTHY];

describe('ban state machine', () => {
  it('a refused connect bans the host for ban_timeout, naming the cause', () => {
    const out = onFailure(three(), 1, refused, 100, settings);
    assert.equal(out.action, 'banned');
    assert.equal(out.states[1].banned, true);
    assert.equal(out.states[1].until, 1100);
    assert.match(out.states[1].reason ?? '', /ECONNREFUSED/);
    assert.equal(out.states[0], HEALTHY);
  });

  it('a failed health check bans too', () => {
    const out = onFailure(three(), 2, { kind: 'check_failed', message: 'health check failed: timed out' }, 0, settings);
    assert.equal(out.action, 'banned');
  });

  it('ban_timeout = 0 disables banning', () => {
    const out = onFailure(three(), 1, refused, 0, { ...settings, banTimeoutMs: 0 });
    assert.deepEqual([out.action, out.action === 'kept' ? out.why : ''], ['kept', 'disabled']);
  });

  it('never bans the last host that is not banned', () => {
    let states = onFailure(three(), 0, refused, 0, settings).states;
    states = onFailure(states, 1, refused, 0, settings).states;
    const out = onFailure(states, 2, refused, 0, settings);
    assert.deepEqual([out.action, out.action === 'kept' ? out.why : ''], ['kept', 'last_available']);
    assert.equal(out.states[2].banned, false);
    assert.deepEqual(onFailure([HEALTHY], 0, refused, 0, settings).action, 'kept');
  });

  it('checkout timeouts ban only when repeated, and a success resets the run', () => {
    const t = { kind: 'checkout_timeout' as const, message: 'no server connection within 5000 ms' };
    let states = three();
    states = onFailure(states, 1, t, 0, settings).states;
    states = onFailure(states, 1, t, 0, settings).states;
    assert.equal(states[1].banned, false);
    assert.equal(onSuccess(states, 1)[1].checkoutTimeouts, 0);
    const third = onFailure(states, 1, t, 0, settings);
    assert.equal(third.action, 'banned');
    assert.match(third.action === 'banned' ? third.reason : '', /3 checkout timeouts in a row/);
  });

  it('a further failure of a banned host changes nothing', () => {
    const states = onFailure(three(), 1, refused, 0, settings).states;
    const out = onFailure(states, 1, refused, 500, settings);
    assert.deepEqual([out.action, out.action === 'kept' ? out.why : ''], ['kept', 'already_banned']);
    assert.equal(out.states[1].until, 1000);
  });

  it('after ban_timeout the host is due for a check; only a passing check readmits it', () => {
    const states = onFailure(three(), 1, refused, 0, settings).states;
    assert.equal(dueForCheck(states[1], 999), false);
    assert.equal(dueForCheck(states[1], 1000), true);
    const failed = afterCheck(states, 1, false, 'check after ban_timeout failed: refused', 1000, settings);
    assert.equal(failed[1].banned, true);
    assert.equal(failed[1].until, 2000);
    assert.match(failed[1].reason ?? '', /check after ban_timeout failed/);
    const passed = afterCheck(failed, 1, true, null, 2000, settings);
    assert.equal(passed[1], HEALTHY);
  });

  it('lift readmits the given hosts at once', () => {
    let states = onFailure(three(), 0, refused, 0, settings).states;
    states = onFailure(states, 1, refused, 0, settings).states;
    const lifted = lift(states, [0, 1]);
    assert.deepEqual(lifted.map((s) => s.banned), [false, false, false]);
  });
});
