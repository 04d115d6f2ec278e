// The ban state machine of one shard's hosts. A host is banned for ban_timeout after a failed
// health check, a connect that was refused or timed out, or repeated checkout timeouts. It is never
// banned when it is the last host of its shard not banned. Once ban_timeout has passed it is due
// for a check, and only a passing check readmits it; a failing one bans it again. Pure: states in,
// states out; the caller owns the clock, the timers and the log.

export interface BanState {
  readonly banned: boolean;
  /** While banned: when the ban may end (a check must pass first). */
  readonly until: number;
  /** While banned: why, in words that name the underlying cause. */
  readonly reason: string | null;
  /** Checkout timeouts in a row, reset by a successful checkout. */
  readonly checkoutTimeouts: number;
}

export const HEALTHY: BanState = Object.freeze({ banned: false, until: 0, reason: null, checkoutTimeouts: 0 });

export type FailureKind =
  /** A health check (`;`) failed or timed out. */
  | 'check_failed'
  /** A connect was refused, timed out, or the server said it cannot take connections now. */
  | 'connect_failed'
  /** A checkout waited checkout_timeout without getting a connection. */
  | 'checkout_timeout';

export interface HostFailure {
  readonly kind: FailureKind;
  readonly message: string;
}

export interface BanSettings {
  /** 0 disables banning. */
  readonly banTimeoutMs: number;
  /** Checkout timeouts in a row that ban a host. */
  readonly checkoutTimeoutsToBan: number;
}

export type FailureOutcome =
  | { readonly action: 'banned'; readonly states: readonly BanState[]; readonly reason: string }
  | { readonly action: 'kept'; readonly states: readonly BanState[]; readonly why: 'disabled' | 'already_banned' | 'below_threshold' | 'last_available' };

export function onFailure(states: readonly BanState[], index: number, failure: HostFailure, now: number, settings: BanSettings): FailureOutcome {
  const s = states[index];
  if (settings.banTimeoutMs <= 0) return { action: 'kept', states, why: 'disabled' };
  if (s.banned) return { action: 'kept', states, why: 'already_banned' };
  let next = s;
  if (failure.kind === 'checkout_timeout') {
    next = { ...s, checkoutTimeouts: s.checkoutTimeouts + 1 };
    if (next.checkoutTimeouts < settings.checkoutTimeoutsToBan) return { action: 'kept', states: replace(states, index, next), why: 'below_threshold' };
  }
  const othersUp = states.some((o, i) => i !== index && !o.banned);
  if (!othersUp) return { action: 'kept', states: replace(states, index, next), why: 'last_available' };
  const reason = failure.kind === 'checkout_timeout' ? `${next.checkoutTimeouts} checkout timeouts in a row (last: ${failure.message})` : failure.message;
  return { action: 'banned', states: replace(states, index, { banned: true, until: now + settings.banTimeoutMs, reason, checkoutTimeouts: 0 }), reason };
}

/** A checkout on the host succeeded: its run of checkout timeouts is over. */
export function onSuccess(states: readonly BanState[], index: number): readonly BanState[] {
  const s = states[index];
  if (s.checkoutTimeouts === 0) return states;
  return replace(states, index, { ...s, checkoutTimeouts: 0 });
}

/** ban_timeout has passed: the host may come back once a check passes. */
export function dueForCheck(s: BanState, now: number): boolean {
  return s.banned && now >= s.until;
}

/** The result of the check of a host whose ban is due to end. */
export function afterCheck(states: readonly BanState[], index: number, ok: boolean, message: string | null, now: number, settings: BanSettings): readonly BanState[] {
  const s = states[index];
  if (!s.banned) return states;
  if (ok) return replace(states, index, HEALTHY);
  return replace(states, index, { banned: true, until: now + settings.banTimeoutMs, reason: message ?? s.reason, checkoutTimeouts: 0 });
}

/** Readmits these hosts at once (every candidate of a role was banned). */
export function lift(states: readonly BanState[], indexes: readonly number[]): readonly BanState[] {
  let out = states;
  for (const i of indexes) if (out[i].banned) out = replace(out, i, HEALTHY);
  return out;
}

function replace(states: readonly BanState[], index: number, s: BanState): readonly BanState[] {
  const out = states.slice();
  out[index] = s;
  return out;
}
