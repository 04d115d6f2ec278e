// One pool per (user, database, shard, role): idle servers, waiting clients, and the connects in
// between. Idle servers are reused LIFO (the most recently used first), so a burst's surplus sits
// at the bottom of the stack and ages out through idle_timeout while the top stays warm. Waiters
// are served FIFO. A state change goes through ServerLists.move(); decisions come from states.ts
// and maintenance.ts.

import { performance } from 'node:perf_hooks';
import type { ServerTlsOptions } from '../backend/connect-socket.js';
import type { ServerConnection } from '../backend/server-connection.js';
import type { ServerError } from '../backend/server-error.js';
import { timerDelay } from '../backend/timer-delay.js';
import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import type { PoolSettings } from '../config/snapshot.js';
import { connectServer, type ServerConnector } from './connector.js';
import { Lease, type LeaseOwner } from './lease.js';
import { dueIdleChecks, janitorInterval, planMaintenance, startJanitor, type Janitor } from './maintenance.js';
import { PoolError, checkoutTimeout, connectFailed, shuttingDown } from './pool-error.js';
import { ServerLists, type PoolEntry } from './server-lists.js';
import { planCheckin, type CheckinPlan, type ReleaseOutcome } from './states.js';
import { WaiterQueue, type Waiter } from './waiters.js';
import { PoolCounters, type PoolStats } from './pool-stats.js';

export type { PoolStats } from './pool-stats.js';

export interface PoolOptions {
  /** TLS to the servers; default: the settings' mode without CA or client certificate. */
  readonly tls?: ServerTlsOptions;
  readonly connector?: ServerConnector;
  /** Connects in flight at once. Default 4. */
  readonly maxConcurrentConnects?: number;
  /** Told about failures that say something about the host (its balancer bans on them). */
  readonly health?: PoolHealthListener;
}

export interface PoolHealthListener {
  /** A health check (on checkout or while idle) failed or timed out; the connection is closed. */
  checkFailed(pool: Pool, message: string): void;
}

/** The statement a health check runs: empty, so the server does no work beyond answering. */
const HEALTH_CHECK_SQL = ';';

export interface CheckoutOptions {
  /** Default: checkout_timeout. */
  readonly timeoutMs?: number;
}

/** After a failed connect, the janitor waits this long before opening min_pool_size servers again. */
const WARM_RETRY_MS = 1000;

export class Pool implements LeaseOwner {
  readonly settings: PoolSettings;
  /** "user@database", plus shard and role when not shard 0 / primary. */
  readonly name: string;
  private readonly lists: ServerLists;
  private readonly waiters: WaiterQueue<Lease>;
  private readonly tls: ServerTlsOptions;
  private readonly connector: ServerConnector;
  private readonly maxConnects: number;
  private readonly janitor: Janitor;
  private hostCursor: number;
  private draining: boolean;
  private readonly drained: (() => void)[];
  /** Closed in the lists but whose socket has not closed yet: drain() waits for them. */
  private readonly closing: Set<ServerConnection>;
  private lastConnectError: Error | null;
  private lastConnectFailureAt: number;
  private readonly counters = new PoolCounters();
  private readonly health: PoolHealthListener | null;
  private readonly startedAt: number;

  constructor(settings: PoolSettings, options: PoolOptions = {}) {
    this.settings = settings;
    const k = settings.key;
    this.name = poolName(settings);
    this.lists = new ServerLists();
    this.waiters = new WaiterQueue((w) => this.onWaiterTimeout(w));
    this.tls = options.tls ?? { mode: settings.tls.mode };
    this.connector = options.connector ?? connectServer;
    this.maxConnects = Math.max(1, options.maxConcurrentConnects ?? 4);
    this.hostCursor = 0;
    this.draining = false;
    this.drained = [];
    this.closing = new Set();
    this.lastConnectError = null;
    this.lastConnectFailureAt = -Infinity;
    this.health = options.health ?? null;
    this.startedAt = performance.now();
    this.janitor = startJanitor(() => this.maintain(), janitorInterval(settings.idleTimeoutMs, settings.serverLifetimeMs, settings.idleHealthcheckIntervalMs));
    this.maintain();
  }

  /** A server for the caller; rejects with PoolError (53300 on timeout, the cause's SQLSTATE on connect failure). */
  checkout(options: CheckoutOptions = {}): Promise<Lease> {
    const now = performance.now();
    return this.checkoutAtOnce(options, now) ?? new Promise<Lease>((resolve, reject) => this.wait(options, now, resolve, reject));
  }

  /**
   * checkout() for a caller that can take its server inside another client's release: when it has
   * to wait, `onLease` is called by the checkin that frees a server (in that client's turn, so the
   * waiting frames go out in the same write round; no promise turn) and null is returned. Errors
   * still arrive on a later microtask, as a rejection would. Otherwise the outcome is decided
   * without waiting and comes as checkout()'s promise.
   */
  checkoutOrWait(options: CheckoutOptions, onLease: (lease: Lease) => void, onError: (err: Error) => void): Promise<Lease> | null {
    const now = performance.now();
    const atOnce = this.checkoutAtOnce(options, now);
    if (atOnce !== null) return atOnce;
    this.wait(options, now, onLease, (err) => queueMicrotask(() => onError(err)));
    return null;
  }

  /** The checkout's promise when no wait is needed (a server, a check first, or a refusal); else null. */
  private checkoutAtOnce(options: CheckoutOptions, now: number): Promise<Lease> | null {
    if (this.draining) return Promise.reject(shuttingDown(this.name));
    const lease = this.tryCheckout();
    if (lease !== null) return Promise.resolve(lease);
    // tryCheckout leaves an idle server unused for healthcheck_interval to this path: checked first.
    const due = this.takeIdle(now, true);
    if (due !== null) return this.checkThenLease(due, options);
    return null;
  }

  private wait(options: CheckoutOptions, now: number, resolve: (lease: Lease) => void, reject: (err: Error) => void): void {
    const timeoutMs = options.timeoutMs ?? this.settings.checkoutTimeoutMs;
    this.waiters.push({ enqueuedAt: now, deadline: now + timerDelay(timeoutMs), timeoutMs, settled: false, resolve, reject }, now);
    this.growForWaiters();
  }

  /**
   * An idle server now, or null when checkout() would have to wait (or reject). Synchronous, so a
   * client's transaction can start within the dispatch that read it, without a promise or a copy.
   */
  tryCheckout(): Lease | null {
    if (this.draining) return null;
    const entry = this.takeIdle(performance.now(), false);
    if (entry === null) return null;
    this.counters.checkouts++;
    return new Lease(this, entry, entry.conn as ServerConnection, 0);
  }

  stats(): PoolStats {
    return this.counters.snapshot(this.lists, this.waiters.length);
  }

  /** Servers handed to clients right now (least_active_connections counts these). */
  get activeServers(): number {
    return this.lists.active.size;
  }

  /** Servers logged in (idle, in use or being reset): none means the host gave us nothing. */
  get liveServers(): number {
    const l = this.lists;
    return l.idle.length + l.active.size + l.resetting.size;
  }

  /**
   * Proves the host alive: a server (an idle one, else a new connection) runs the health check.
   * Rejects with the cause. Used to readmit a banned host.
   */
  async probe(): Promise<void> {
    const lease = await this.checkout({ timeoutMs: this.settings.connectTimeoutMs + this.settings.healthcheckTimeoutMs });
    this.counters.checks++;
    try {
      await lease.server.runInternal(HEALTH_CHECK_SQL, this.settings.healthcheckTimeoutMs);
    } catch (e) {
      this.counters.checkFailures++;
      lease.release('broken');
      throw e;
    }
    lease.release('clean');
  }

  /**
   * Shutdown without interrupting anyone: new checkouts and waiters get 57P01, idle servers close
   * now, leased ones when released. Resolves once every server's socket has closed.
   */
  drain(): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      const err = shuttingDown(this.name);
      for (const w of this.waiters.takeAll()) this.settle(w, null, err);
      for (const entry of [...this.lists.idle]) this.closeEntry(entry, 'pool is shutting down');
    }
    const done = new Promise<void>((resolve) => this.drained.push(resolve));
    this.checkDrained();
    return done;
  }

  /** drain(), and leased servers are closed now too (their sinks hear onServerClosed). */
  close(): Promise<void> {
    const done = this.drain();
    for (const entry of [...this.lists.active, ...this.lists.resetting]) this.closeEntry(entry, 'pool closed');
    return done;
  }

  /** The janitor's tick: idle_timeout, server_lifetime, min_pool_size. */
  maintain(): void {
    const now = performance.now();
    const plan = planMaintenance({
      now,
      idle: this.lists.idle,
      total: this.lists.total,
      minPoolSize: this.settings.minPoolSize,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      draining: this.draining,
    });
    const victims = plan.close.map((c) => ({ entry: this.lists.idle[c.index], reason: c.reason }));
    for (const v of victims) this.closeEntry(v.entry, v.reason);
    const due = dueIdleChecks(now, this.startedAt, this.lists.idle, this.settings.idleHealthcheckIntervalMs, this.settings.idleHealthcheckDelayMs);
    for (const entry of due.map((i) => this.lists.idle[i])) void this.idleCheck(entry);
    // Clients asking for a server still trigger connects at once; only the warm-up backs off.
    if (now - this.lastConnectFailureAt >= WARM_RETRY_MS) {
      for (let i = 0; i < plan.open && this.lists.connecting < this.maxConnects && this.lists.total < this.settings.poolSize; i++) this.openOne();
    }
    this.growForWaiters();
  }

  /** Called by Lease.release(). */
  checkin(entry: PoolEntry, outcome: ReleaseOutcome, reset: boolean): void {
    if (entry.state !== 'active') return; // closed while leased; nothing to give back
    const conn = entry.conn as ServerConnection;
    const now = performance.now();
    const plan = planCheckin({
      outcome,
      txStatus: conn.txStatus,
      resetRequested: reset,
      expired: now >= entry.expiresAt,
      draining: this.draining,
      connectionClosed: conn.closed,
    });
    if (plan.action === 'idle') {
      // It just answered a ReadyForQuery: as good as a health check.
      if (outcome === 'clean') entry.checkedAt = now;
      this.lists.move(entry, 'checkin', now);
      this.serveWaiters();
    } else if (plan.action === 'close') {
      this.closeEntry(entry, plan.reason);
    } else {
      this.lists.move(entry, 'reset', now);
      void this.reset(entry, conn, plan);
    }
  }

  private async reset(entry: PoolEntry, conn: ServerConnection, plan: Extract<CheckinPlan, { action: 'reset' }>): Promise<void> {
    const timeoutMs = this.settings.rollbackTimeoutMs;
    try {
      if (plan.rollback) await conn.runInternal('ROLLBACK', timeoutMs);
      if (plan.discard) await conn.runInternal('DISCARD ALL', timeoutMs);
    } catch (e) {
      this.closeEntry(entry, `reset failed: ${(e as Error).message}`);
      return;
    }
    if (entry.state !== 'resetting') return;
    const now = performance.now();
    if (conn.txStatus !== TransactionStatus.Idle || this.draining || now >= entry.expiresAt) {
      this.closeEntry(entry, this.draining ? 'pool is shutting down' : 'not reusable after reset');
      return;
    }
    this.lists.move(entry, 'checkin', now);
    this.serveWaiters();
  }

  /**
   * Pops idle servers until a usable one; expired ones are closed on the way. One unused for
   * healthcheck_interval is taken only when `dueForCheck` (the caller checks it), else left.
   */
  private takeIdle(now: number, dueForCheck: boolean): PoolEntry | null {
    const idle = this.lists.idle;
    // Checked first: idle[-1] is a slow string-keyed lookup in V8, and the list is often empty.
    while (idle.length !== 0) {
      const entry = idle[idle.length - 1];
      const conn = entry.conn as ServerConnection;
      if (conn.closed || entry.expiresAt <= now) {
        this.closeEntry(entry, conn.closed ? 'server connection already closed' : 'server_lifetime reached');
        continue;
      }
      if ((now - entry.checkedAt >= this.settings.healthcheckIntervalMs) !== dueForCheck) return null;
      this.lists.move(entry, 'checkout', now);
      return entry;
    }
    return null;
  }

  /** Checkout of a server unused for healthcheck_interval: `;` first; on failure, the next way. */
  private async checkThenLease(entry: PoolEntry, options: CheckoutOptions): Promise<Lease> {
    const conn = entry.conn as ServerConnection;
    if (!(await this.runCheck(entry, conn))) return this.checkout(options);
    if (entry.state !== 'active') return this.checkout(options);
    this.counters.checkouts++;
    return new Lease(this, entry, conn, 0);
  }

  /** An idle server unused for idle_healthcheck_interval: checked out of sight of clients. */
  private async idleCheck(entry: PoolEntry): Promise<void> {
    const idleSince = entry.idleSince;
    this.lists.move(entry, 'checkout', performance.now());
    if (!(await this.runCheck(entry, entry.conn as ServerConnection))) return;
    if (entry.state !== 'active') return;
    if (this.draining) {
      this.closeEntry(entry, 'pool is shutting down');
      return;
    }
    this.lists.move(entry, 'checkin', performance.now());
    // The check is not a use: idle_timeout still counts from the last client.
    entry.idleSince = idleSince;
    this.serveWaiters();
  }

  /** Runs the health check on a server held out of the idle list; false (and closed) when it fails. */
  private async runCheck(entry: PoolEntry, conn: ServerConnection): Promise<boolean> {
    this.counters.checks++;
    try {
      await conn.runInternal(HEALTH_CHECK_SQL, this.settings.healthcheckTimeoutMs);
      entry.checkedAt = performance.now();
      return true;
    } catch (e) {
      this.counters.checkFailures++;
      const message = `health check failed: ${(e as Error).message}`;
      this.closeEntry(entry, message);
      this.health?.checkFailed(this, message);
      return false;
    }
  }

  private serveWaiters(): void {
    const now = performance.now();
    while (this.waiters.length > 0) {
      // Waiters only exist while nothing is idle, so whatever is idle now was just used.
      const entry = this.takeIdle(now, false) ?? this.takeIdle(now, true);
      if (entry === null) break;
      const w = this.waiters.shift() as Waiter<Lease>;
      this.settle(w, new Lease(this, entry, entry.conn as ServerConnection, now - w.enqueuedAt), null);
    }
    this.growForWaiters();
  }

  private settle(w: Waiter<Lease>, lease: Lease | null, err: Error | null): void {
    w.settled = true;
    if (lease !== null) {
      this.counters.waited(lease.waitedMs);
      try {
        w.resolve(lease);
      } catch (e) {
        // A checkoutOrWait callback runs inside someone else's checkin: its failure is its own,
        // surfaced as an unhandled promise callback's would be.
        queueMicrotask(() => {
          throw e;
        });
      }
    } else {
      w.reject(err as Error);
    }
  }

  private onWaiterTimeout(w: Waiter<Lease>): void {
    this.counters.checkoutTimeouts++;
    const inUse = this.lists.active.size + this.lists.resetting.size;
    w.reject(checkoutTimeout(this.name, w.timeoutMs, this.settings.poolSize, inUse, this.lastConnectError));
  }

  /** Opens servers for waiters that no connect or reset in flight will serve, within the limits. */
  private growForWaiters(): void {
    const l = this.lists;
    while (!this.draining && this.waiters.length > l.connecting + l.resetting.size && l.total < this.settings.poolSize && l.connecting < this.maxConnects) {
      this.openOne();
    }
  }

  private openOne(): void {
    const entry = this.lists.add();
    const hosts = this.settings.hosts;
    const host = hosts[this.hostCursor++ % hosts.length];
    this.connector(this.settings, host, this.tls).then(
      (conn) => this.onConnected(entry, conn),
      (err: unknown) => this.onConnectFailed(entry, err),
    );
  }

  private onConnected(entry: PoolEntry, conn: ServerConnection): void {
    entry.conn = conn;
    conn.setCloseListener((_c, err) => this.onServerClosed(entry, err));
    const now = performance.now();
    if (this.draining) {
      this.closeEntry(entry, 'pool is shutting down');
      return;
    }
    const lifetime = this.settings.serverLifetimeMs;
    const jitter = this.settings.serverLifetimeJitterMs * (Math.random() * 2 - 1);
    entry.expiresAt = lifetime > 0 ? conn.createdAt + Math.max(0, lifetime + jitter) : Infinity;
    entry.checkedAt = now;
    this.lastConnectError = null;
    this.lists.move(entry, 'connected', now);
    this.serveWaiters();
  }

  private onConnectFailed(entry: PoolEntry, err: unknown): void {
    this.lists.move(entry, 'close', performance.now());
    this.counters.connectErrors++;
    const error = err instanceof Error ? err : new Error(String(err));
    this.lastConnectError = error;
    this.lastConnectFailureAt = performance.now();
    // Nothing open and nothing on the way: no server will come back for the waiters, so they hear
    // the cause now instead of at their timeout. Otherwise returns (or the janitor) serve them.
    if (this.lists.total === 0) {
      const failure: PoolError = connectFailed(this.name, error);
      for (const w of this.waiters.takeAll()) this.settle(w, null, failure);
    }
    this.checkDrained();
  }

  /** The server went away by itself (killed, network) or because we closed it. */
  private onServerClosed(entry: PoolEntry, _err: ServerError): void {
    const moved = this.lists.move(entry, 'close', performance.now());
    this.closing.delete(entry.conn as ServerConnection);
    if (moved) {
      // A server lost by itself is replaced now rather than at the next janitor tick.
      if (this.lists.total < this.settings.minPoolSize) this.maintain();
      else this.growForWaiters();
    }
    this.checkDrained();
  }

  private closeEntry(entry: PoolEntry, reason: string): void {
    if (!this.lists.move(entry, 'close', performance.now())) return;
    const conn = entry.conn;
    if (conn !== null && !conn.closed) {
      this.closing.add(conn);
      conn.close(reason);
    }
    this.growForWaiters();
    this.checkDrained();
  }

  private checkDrained(): void {
    if (!this.draining || this.lists.total !== 0 || this.closing.size !== 0) return;
    this.janitor.stop();
    for (const resolve of this.drained.splice(0)) resolve();
  }
}

/** "user@database", plus the shard when not 0, plus role and address for a replica. */
export function poolName(settings: PoolSettings): string {
  const k = settings.key;
  const shard = k.shard !== 0 ? ` shard ${k.shard}` : '';
  if (k.role === 'primary') return `${k.user}@${k.database}${shard}`;
  const h = settings.hosts[0];
  return `${k.user}@${k.database}${shard} (replica${k.host !== undefined ? ` ${h.host}:${h.port}` : ''})`;
}
