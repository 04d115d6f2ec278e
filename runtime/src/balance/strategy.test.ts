import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@pgdog/testing';
import { INITIAL_LB_STATE, orderCandidates, type LbCandidate, type LbState, type LbStrategy } from './strategy.js';

function spread(strategy: LbStrategy, candidates: LbCandidate[], picks: number, random = seededRandom(42)): Map<number, number> {
  let state: LbState = INITIAL_LB_STATE;
  const counts = new Map<number, number>();
  for (let i = 0; i < picks; i++) {
    const pick = orderCandidates(strategy, candidates, state, random);
    state = pick.state;
    assert.deepEqual([...pick.order].sort(), candidates.map((c) => c.host).sort(), 'every candidate once');
    counts.set(pick.order[0], (counts.get(pick.order[0]) ?? 0) + 1);
  }
  return counts;
}

const three: LbCandidate[] = [
  { host: 0, active: 0, weight: 255 },
  { host: 1, active: 0, weight: 255 },
  { host: 2, active: 0, weight: 255 },
];

describe('orderCandidates', () => {
  it('round_robin takes the hosts in turn: exactly even over 1,000 picks of 2', () => {
    const counts = spread('round_robin', three.slice(1), 1000);
    assert.deepEqual([...counts.entries()].sort(), [[1, 500], [2, 500]]);
  });

  it('round_robin alternates strictly and keeps the others as fallbacks', () => {
    let state = INITIAL_LB_STATE;
    const firsts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = orderCandidates('round_robin', three, state, Math.random);
      state = p.state;
      firsts.push(p.order[0]);
      assert.equal(p.order.length, 3);
    }
    assert.deepEqual(firsts, [0, 1, 2, 0, 1, 2]);
  });

  it('random spreads roughly evenly (seeded): each of 3 hosts within 10% of 1/3 over 3,000 picks', () => {
    const counts = spread('random', three, 3000, seededRandom(7));
    for (const h of [0, 1, 2]) {
      const n = counts.get(h) ?? 0;
      assert.ok(n > 900 && n < 1100, `host ${h}: ${n}`);
    }
  });

  it('random is the same for the same seed and differs for another', () => {
    const a = [...spread('random', three, 50, seededRandom(1)).entries()].sort();
    const b = [...spread('random', three, 50, seededRandom(1)).entries()].sort();
    const c = [...spread('random', three, 50, seededRandom(2)).entries()].sort();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('least_active_connections picks the host with the fewest connections in use', () => {
    const busy: LbCandidate[] = [
      { host: 0, active: 5, weight: 255 },
      { host: 1, active: 1, weight: 255 },
      { host: 2, active: 3, weight: 255 },
    ];
    const p = orderCandidates('least_active_connections', busy, INITIAL_LB_STATE, Math.random);
    assert.deepEqual(p.order, [1, 2, 0]);
  });

  it('least_active_connections shares equally idle hosts by rotation', () => {
    const counts = spread('least_active_connections', three.slice(0, 2), 1000);
    assert.deepEqual([...counts.entries()].sort(), [[0, 500], [1, 500]]);
  });

  it('weighted_round_robin follows lb_weight exactly over a full cycle, interleaved', () => {
    const weighted: LbCandidate[] = [
      { host: 0, active: 0, weight: 5 },
      { host: 1, active: 0, weight: 1 },
      { host: 2, active: 0, weight: 1 },
    ];
    let state = INITIAL_LB_STATE;
    const firsts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const p = orderCandidates('weighted_round_robin', weighted, state, Math.random);
      state = p.state;
      firsts.push(p.order[0]);
    }
    // nginx's smooth WRR for 5/1/1: a a b a c a a.
    assert.deepEqual(firsts, [0, 0, 1, 0, 2, 0, 0]);
    const counts = spread('weighted_round_robin', [
      { host: 0, active: 0, weight: 200 },
      { host: 1, active: 0, weight: 50 },
    ], 1000);
    assert.deepEqual([...counts.entries()].sort(), [[0, 800], [1, 200]]);
  });

  it('weighted_round_robin never picks a weight-0 host first while another has weight, but keeps it as a fallback', () => {
    const p = orderCandidates('weighted_round_robin', [
      { host: 0, active: 0, weight: 0 },
      { host: 1, active: 0, weight: 10 },
    ], INITIAL_LB_STATE, Math.random);
    assert.deepEqual(p.order, [1, 0]);
    const counts = spread('weighted_round_robin', [
      { host: 0, active: 0, weight: 0 },
      { host: 1, active: 0, weight: 10 },
    ], 100);
    assert.equal(counts.get(0), undefined);
  });

  it('one candidate needs no state; none gives an empty order', () => {
    const one = orderCandidates('round_robin', [three[2]], INITIAL_LB_STATE, Math.random);
    assert.deepEqual(one.order, [2]);
    assert.equal(one.state, INITIAL_LB_STATE);
    assert.deepEqual(orderCandidates('random', [], INITIAL_LB_STATE, Math.random).order, []);
  });
});
