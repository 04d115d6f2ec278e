// What a pool counts about itself, for SHOW POOLS, metrics and the balancer: the counters the pool
// bumps as it works, and the snapshot they are reported in.

import type { ServerLists } from './server-lists.js';

export interface PoolStats {
  readonly idle: number;
  readonly active: number;
  readonly resetting: number;
  readonly connecting: number;
  readonly waiting: number;
  /** idle + active + resetting + connecting. */
  readonly total: number;
  readonly created: number;
  readonly closed: number;
  readonly checkouts: number;
  readonly checkoutTimeouts: number;
  readonly connectErrors: number;
  /** Checkouts that had to wait, and their total and longest wait. */
  readonly waits: number;
  readonly waitTotalMs: number;
  readonly waitMaxMs: number;
  /** Health checks run (on checkout, idle, probes) and how many failed. */
  readonly checks: number;
  readonly checkFailures: number;
}

export class PoolCounters {
  checkouts = 0;
  checkoutTimeouts = 0;
  connectErrors = 0;
  waits = 0;
  waitTotalMs = 0;
  waitMaxMs = 0;
  checks = 0;
  checkFailures = 0;

  /** A checkout that waited `ms` for its server. */
  waited(ms: number): void {
    this.checkouts++;
    this.waits++;
    this.waitTotalMs += ms;
    if (ms > this.waitMaxMs) this.waitMaxMs = ms;
  }

  snapshot(l: ServerLists, waiting: number): PoolStats {
    return {
      idle: l.idle.length,
      active: l.active.size,
      resetting: l.resetting.size,
      connecting: l.connecting,
      waiting,
      total: l.total,
      created: l.created,
      closed: l.closed,
      checkouts: this.checkouts,
      checkoutTimeouts: this.checkoutTimeouts,
      connectErrors: this.connectErrors,
      waits: this.waits,
      waitTotalMs: this.waitTotalMs,
      waitMaxMs: this.waitMaxMs,
      checks: this.checks,
      checkFailures: this.checkFailures,
    };
  }
}
