import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { nextServerState, planCheckin, type CheckinInput, type ServerEvent, type ServerState } from './states.js';

const STATES: ServerState[] = ['connecting', 'idle', 'active', 'resetting', 'closed'];
const EVENTS: ServerEvent[] = ['connected', 'checkout', 'checkin', 'reset', 'close'];

describe('nextServerState', () => {
  it('allows exactly the lifecycle connecting -> idle -> active -> idle/resetting -> closed', () => {
    const allowed = new Map<string, ServerState>([
      ['connecting connected', 'idle'],
      ['connecting close', 'closed'],
      ['idle checkout', 'active'],
      ['idle close', 'closed'],
      ['active checkin', 'idle'],
      ['active reset', 'resetting'],
      ['active close', 'closed'],
      ['resetting checkin', 'idle'],
      ['resetting close', 'closed'],
    ]);
    for (const s of STATES) {
      for (const e of EVENTS) {
        assert.equal(nextServerState(s, e), allowed.get(`${s} ${e}`) ?? null, `${s} + ${e}`);
      }
    }
  });

  it('a closed server stays closed: every event is refused, including a second close', () => {
    for (const e of EVENTS) assert.equal(nextServerState('closed', e), null);
  });
});

describe('planCheckin', () => {
  const base: CheckinInput = {
    outcome: 'clean',
    txStatus: TransactionStatus.Idle,
    resetRequested: false,
    expired: false,
    draining: false,
    connectionClosed: false,
  };

  it('a clean idle server goes straight back', () => {
    assert.deepEqual(planCheckin(base), { action: 'idle' });
  });

  it('dirty, or clean but still inside a transaction, means ROLLBACK', () => {
    assert.deepEqual(planCheckin({ ...base, outcome: 'dirty' }), { action: 'reset', rollback: true, discard: false });
    for (const txStatus of [TransactionStatus.InTransaction, TransactionStatus.Failed]) {
      assert.deepEqual(planCheckin({ ...base, txStatus }), { action: 'reset', rollback: true, discard: false });
    }
  });

  it('session mode asks for DISCARD ALL, after a ROLLBACK when needed', () => {
    assert.deepEqual(planCheckin({ ...base, resetRequested: true }), { action: 'reset', rollback: false, discard: true });
    assert.deepEqual(planCheckin({ ...base, resetRequested: true, outcome: 'dirty' }), { action: 'reset', rollback: true, discard: true });
  });

  it('closes broken, closed, expired servers and everything while draining, before any reset', () => {
    const cases: [Partial<CheckinInput>, RegExp][] = [
      [{ outcome: 'broken' }, /broken/],
      [{ connectionClosed: true, outcome: 'dirty' }, /already closed/],
      [{ expired: true, outcome: 'dirty', resetRequested: true }, /server_lifetime/],
      [{ draining: true, resetRequested: true }, /shutting down/],
    ];
    for (const [change, reason] of cases) {
      const plan = planCheckin({ ...base, ...change });
      assert.equal(plan.action, 'close');
      assert.match((plan as { reason: string }).reason, reason);
    }
  });
});
