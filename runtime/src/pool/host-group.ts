// The hosts of one shard of one database, shared by every user's pools: their bans, the load
// balancer's state, and the checks that readmit a banned host. Decisions come from balance/ (pure);
// this class keeps the state, runs the timer and the probes, and logs every ban and unban.

import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { afterCheck, dueForCheck, HEALTHY, lift, onFailure, onSuccess, type BanSettings, type BanState, type HostFailure } from '../balance/bans.js';
import { candidatesFor, type HostRole } from '../balance/candidates.js';
import { INITIAL_LB_STATE, orderCandidates, type LbState } from '../balance/strategy.js';
import type { BalanceSettings, HostSpec } from '../config/snapshot.js';
import type { Pool } from './pool.js';

/** Checkout timeouts in a row that ban a host. */
export const CHECKOUT_TIMEOUTS_TO_BAN = 3;

export type HostOrder = { readonly ok: true; readonly hosts: readonly number[] } | { readonly ok: false; readonly message: string };

export interface HostStats {
  readonly database: string;
  readonly shard: number;
  readonly host: string;
  readonly port: number;
  readonly role: HostRole;
  readonly banned: boolean;
  /** Why it is banned (null when not). */
  readonly banReason: string | null;
  /** Milliseconds until the ban may end (0 when not banned or due for its check). */
  readonly banRemainingMs: number;
  readonly bans: number;
  readonly unbans: number;
  /** Health checks run on its connections (on checkout, idle, and to readmit it), and failed. */
  readonly checks: number;
  readonly checkFailures: number;
  /** Failures reported against it: failed connects and checks, checkout timeouts. */
  readonly failures: number;
}

interface HostCounters {
  bans: number;
  unbans: number;
  failures: number;
}

export class HostGroup {
  readonly database: string;
  readonly shard: number;
  readonly hosts: readonly HostSpec[];
  private readonly settings: BalanceSettings;
  private readonly banSettings: BanSettings;
  private readonly logger: Logger;
  private readonly random: () => number;
  private bans: readonly BanState[];
  private lb: LbState;
  private readonly pools: Pool[][];
  private readonly counters: HostCounters[];
  private readonly probing: boolean[];
  private readonly timer: NodeJS.Timeout | null;
  /**
   * order()'s last one-host answer per role, with the ban states it was made from. The choice is a
   * pure function of the role and the ban states (replaced, never changed in place), and a single
   * candidate leaves no balancing state to advance, so it stands until the bans change.
   */
  private readonly lastOrder: Record<HostRole, { bans: readonly BanState[]; order: HostOrder } | null> = { primary: null, replica: null };

  constructor(database: string, shard: number, hosts: readonly HostSpec[], settings: BalanceSettings, logger: Logger, random: () => number = Math.random) {
    this.database = database;
    this.shard = shard;
    this.hosts = hosts;
    this.settings = settings;
    this.banSettings = { banTimeoutMs: settings.banTimeoutMs, checkoutTimeoutsToBan: CHECKOUT_TIMEOUTS_TO_BAN };
    this.logger = logger;
    this.random = random;
    this.bans = hosts.map(() => HEALTHY);
    this.lb = INITIAL_LB_STATE;
    this.pools = hosts.map(() => []);
    this.counters = hosts.map(() => ({ bans: 0, unbans: 0, failures: 0 }));
    this.probing = hosts.map(() => false);
    // Only a group that can ban needs to look for bans that are due to end.
    if (hosts.length > 1 && settings.banTimeoutMs > 0) {
      this.timer = setInterval(() => this.tick(), Math.max(25, Math.min(333, Math.floor(settings.banTimeoutMs / 4))));
      this.timer.unref();
    } else {
      this.timer = null;
    }
  }

  addPool(host: number, pool: Pool): void {
    this.pools[host].push(pool);
  }

  isBanned(host: number): boolean {
    return this.bans[host].banned;
  }

  /** The hosts to try for `role`, first choice first. Lifts the bans when every candidate is banned. */
  order(role: HostRole): HostOrder {
    const last = this.lastOrder[role];
    if (last !== null && last.bans === this.bans) return last.order;
    const slots = this.hosts.map((h, i) => ({ role: h.role, banned: this.bans[i].banned }));
    const choice = candidatesFor(role, this.settings.split, slots);
    if (!choice.ok) return choice;
    if (choice.lift.length > 0) this.liftBans(choice.lift, role);
    if (choice.hosts.length === 1) {
      const order: HostOrder = { ok: true, hosts: choice.hosts };
      if (choice.lift.length === 0) this.lastOrder[role] = { bans: this.bans, order };
      return order;
    }
    const candidates = choice.hosts.map((i) => ({ host: i, active: this.activeOn(i), weight: this.hosts[i].entry.lb_weight ?? 255 }));
    const pick = orderCandidates(this.settings.strategy, candidates, this.lb, this.random);
    this.lb = pick.state;
    return { ok: true, hosts: pick.order };
  }

  /** A failure that is the host's fault; bans it when the rules say so. */
  failed(host: number, failure: HostFailure): void {
    this.counters[host].failures++;
    const out = onFailure(this.bans, host, failure, performance.now(), this.banSettings);
    this.bans = out.states;
    if (out.action === 'banned') {
      this.counters[host].bans++;
      this.logger.warn({ ...this.describe(host), reason: out.reason, banTimeoutMs: this.settings.banTimeoutMs }, 'host banned');
    } else if (out.why === 'last_available') {
      this.logger.warn({ ...this.describe(host), reason: failure.message }, 'host failing but not banned: it is the last one available');
    }
  }

  succeeded(host: number): void {
    this.bans = onSuccess(this.bans, host);
  }

  stats(): HostStats[] {
    const now = performance.now();
    return this.hosts.map((h, i) => {
      const b = this.bans[i];
      let checks = 0;
      let checkFailures = 0;
      for (const p of this.pools[i]) {
        const s = p.stats();
        checks += s.checks;
        checkFailures += s.checkFailures;
      }
      return {
        database: this.database,
        shard: this.shard,
        host: h.host,
        port: h.port,
        role: h.role,
        banned: b.banned,
        banReason: b.reason,
        banRemainingMs: b.banned ? Math.max(0, Math.round(b.until - now)) : 0,
        bans: this.counters[i].bans,
        unbans: this.counters[i].unbans,
        checks,
        checkFailures,
        failures: this.counters[i].failures,
      };
    });
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** Bans past ban_timeout get their check; only a pass readmits the host. */
  tick(): void {
    const now = performance.now();
    this.bans.forEach((b, i) => {
      if (!dueForCheck(b, now) || this.probing[i]) return;
      const pool = this.pools[i][0];
      if (pool === undefined) return;
      this.probing[i] = true;
      pool.probe().then(
        () => this.afterProbe(i, true, null),
        (err: unknown) => this.afterProbe(i, false, `check after ban_timeout failed: ${err instanceof Error ? err.message : String(err)}`),
      );
    });
  }

  private afterProbe(host: number, ok: boolean, message: string | null): void {
    this.probing[host] = false;
    const was = this.bans[host];
    this.bans = afterCheck(this.bans, host, ok, message, performance.now(), this.banSettings);
    if (!was.banned) return;
    if (ok) {
      this.counters[host].unbans++;
      this.logger.info({ ...this.describe(host), reason: 'a check passed after ban_timeout' }, 'host unbanned');
    } else {
      this.counters[host].bans++;
      this.logger.warn({ ...this.describe(host), reason: message, banTimeoutMs: this.settings.banTimeoutMs }, 'host banned again');
    }
  }

  private liftBans(hosts: readonly number[], role: HostRole): void {
    this.bans = lift(this.bans, hosts);
    for (const i of hosts) {
      this.counters[i].unbans++;
      this.logger.warn({ ...this.describe(i), reason: `every host that can serve the ${role} role was banned` }, 'host unbanned');
    }
  }

  private activeOn(host: number): number {
    let n = 0;
    for (const p of this.pools[host]) n += p.activeServers;
    return n;
  }

  private describe(host: number): Record<string, unknown> {
    const h = this.hosts[host];
    return { database: this.database, shard: this.shard, host: `${h.host}:${h.port}`, role: h.role };
  }
}
