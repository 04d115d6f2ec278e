import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { judgeCheckoutFailure, type CheckoutFailureFacts } from './failure.js';

const base: CheckoutFailureFacts = { kind: 'connect_failed', sqlstate: '08006', fromServer: false, liveServers: 0, message: 'connect ECONNREFUSED' };

describe('judgeCheckoutFailure', () => {
  it('a network failure is retried elsewhere and counts against the host', () => {
    assert.deepEqual(judgeCheckoutFailure(base), { retry: true, failure: { kind: 'connect_failed', message: 'connect ECONNREFUSED' } });
  });

  it('a server that is shutting down or starting up counts against the host', () => {
    for (const sqlstate of ['57P01', '57P03']) assert.notEqual(judgeCheckoutFailure({ ...base, sqlstate, fromServer: true }).failure, null);
  });

  it('a wrong password is retried elsewhere but is not the host being down', () => {
    assert.deepEqual(judgeCheckoutFailure({ ...base, sqlstate: '28P01', fromServer: true }), { retry: true, failure: null });
  });

  it('a checkout timeout with no connection at all means the host does not answer', () => {
    assert.equal(judgeCheckoutFailure({ ...base, kind: 'checkout_timeout', sqlstate: '53300' }).failure?.kind, 'connect_failed');
    assert.equal(judgeCheckoutFailure({ ...base, kind: 'checkout_timeout', sqlstate: '53300', liveServers: 4 }).failure?.kind, 'checkout_timeout');
  });

  it('a pool that is shutting down is not retried', () => {
    assert.deepEqual(judgeCheckoutFailure({ ...base, kind: 'shutting_down' }), { retry: false, failure: null });
  });
});
