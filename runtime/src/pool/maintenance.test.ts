import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { janitorInterval, planMaintenance, type MaintenanceInput } from './maintenance.js';

const input = (over: Partial<MaintenanceInput>): MaintenanceInput => ({
  now: 10_000,
  idle: [],
  total: 0,
  minPoolSize: 0,
  idleTimeoutMs: 1000,
  draining: false,
  ...over,
});

describe('planMaintenance', () => {
  it('closes servers idle past idle_timeout, oldest first, keeping min_pool_size', () => {
    const idle = [
      { idleSince: 9_500, expiresAt: Infinity }, // idle 500 ms: kept
      { idleSince: 1_000, expiresAt: Infinity }, // oldest
      { idleSince: 8_000, expiresAt: Infinity },
      { idleSince: 5_000, expiresAt: Infinity },
    ];
    const plan = planMaintenance(input({ idle, total: 5, minPoolSize: 3 }));
    assert.deepEqual(plan.close, [
      { index: 1, reason: 'idle_timeout reached' },
      { index: 3, reason: 'idle_timeout reached' },
    ]);
    assert.equal(plan.open, 0);
  });

  it('idle_timeout 0 never closes for idling', () => {
    const plan = planMaintenance(input({ idle: [{ idleSince: 0, expiresAt: Infinity }], total: 1, idleTimeoutMs: 0 }));
    assert.deepEqual(plan.close, []);
  });

  it('closes expired servers even below min_pool_size, and opens replacements', () => {
    const idle = [
      { idleSince: 9_999, expiresAt: 9_000 },
      { idleSince: 9_999, expiresAt: 20_000 },
    ];
    const plan = planMaintenance(input({ idle, total: 2, minPoolSize: 2 }));
    assert.deepEqual(plan.close, [{ index: 0, reason: 'server_lifetime reached' }]);
    assert.equal(plan.open, 1);
  });

  it('opens up to min_pool_size counting servers being opened, and nothing while draining', () => {
    assert.equal(planMaintenance(input({ total: 1, minPoolSize: 4 })).open, 3);
    assert.equal(planMaintenance(input({ total: 5, minPoolSize: 4 })).open, 0);
    assert.equal(planMaintenance(input({ total: 0, minPoolSize: 4, draining: true })).open, 0);
  });
});

describe('janitorInterval', () => {
  it('ticks at a quarter of the smallest enabled timeout, between 10 ms and 1 s', () => {
    assert.equal(janitorInterval(60_000, 86_400_000), 1000);
    assert.equal(janitorInterval(200, 86_400_000), 50);
    assert.equal(janitorInterval(0, 400), 100);
    assert.equal(janitorInterval(0, 0), 1000);
    assert.equal(janitorInterval(8, 0), 10);
  });
});
