// The janitor: away from the request path, closes idle servers past idle_timeout (down to
// min_pool_size) or past server_lifetime, and opens servers up to min_pool_size. The decision is
// pure; the timer is unref'd so it never keeps the process alive.

export interface IdleServerInfo {
  readonly idleSince: number;
  readonly expiresAt: number;
}

export interface MaintenanceInput {
  readonly now: number;
  /** The pool's idle servers (any order). */
  readonly idle: readonly IdleServerInfo[];
  /** Servers open or being opened. */
  readonly total: number;
  readonly minPoolSize: number;
  /** 0: never closed for idling. */
  readonly idleTimeoutMs: number;
  /** Shutting down: open nothing. */
  readonly draining: boolean;
}

export interface MaintenancePlan {
  /** Indexes into `input.idle`. */
  readonly close: readonly { readonly index: number; readonly reason: string }[];
  /** How many servers to open. */
  readonly open: number;
}

export function planMaintenance(input: MaintenanceInput): MaintenancePlan {
  const close: { index: number; reason: string }[] = [];
  let remaining = input.total;
  const closing = new Set<number>();
  input.idle.forEach((s, index) => {
    if (s.expiresAt <= input.now) {
      close.push({ index, reason: 'server_lifetime reached' });
      closing.add(index);
      remaining--;
    }
  });
  if (input.idleTimeoutMs > 0) {
    const stale = input.idle
      .map((s, index) => ({ index, idleSince: s.idleSince }))
      .filter((s) => !closing.has(s.index) && input.now - s.idleSince >= input.idleTimeoutMs)
      .sort((a, b) => a.idleSince - b.idleSince);
    for (const s of stale) {
      if (remaining <= input.minPoolSize) break;
      close.push({ index: s.index, reason: 'idle_timeout reached' });
      remaining--;
    }
  }
  const open = input.draining ? 0 : Math.max(0, input.minPoolSize - remaining);
  return { close, open };
}

/** Often enough to honour the smallest enabled timeout within a quarter of it; at most 1 s apart. */
export function janitorInterval(idleTimeoutMs: number, serverLifetimeMs: number, idleHealthcheckMs = 0): number {
  let shortest = 4000;
  if (idleTimeoutMs > 0) shortest = Math.min(shortest, idleTimeoutMs);
  if (serverLifetimeMs > 0) shortest = Math.min(shortest, serverLifetimeMs);
  if (idleHealthcheckMs > 0) shortest = Math.min(shortest, idleHealthcheckMs);
  return Math.max(10, Math.floor(shortest / 4));
}

export interface Janitor {
  stop(): void;
}

export function startJanitor(tick: () => void, intervalMs: number): Janitor {
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Idle servers due for an idle health check (indexes into `idle`): unused for `intervalMs`. */
export function dueIdleChecks(now: number, startedAt: number, idle: readonly { readonly checkedAt: number }[], intervalMs: number, delayMs: number): number[] {
  if (intervalMs <= 0 || now - startedAt < delayMs) return [];
  const out: number[] = [];
  idle.forEach((s, i) => {
    if (now - s.checkedAt >= intervalMs) out.push(i);
  });
  return out;
}
