// What a failed checkout says about its host, and whether the statement may go to another host.
// A checkout failure means nothing was sent, so another host can always take the statement; only
// some failures are the host's fault and count towards a ban. Pure.

import type { HostFailure } from './bans.js';

export interface CheckoutFailureFacts {
  /** PoolError kind, or 'other' for anything else. */
  readonly kind: 'connect_failed' | 'checkout_timeout' | 'shutting_down' | 'other';
  /** SQLSTATE of the underlying cause (the server's own when it refused us). */
  readonly sqlstate: string;
  /** The cause was an ErrorResponse from PostgreSQL (it answered, so the network is fine). */
  readonly fromServer: boolean;
  /** Servers of that host's pool that were connected when the checkout gave up. */
  readonly liveServers: number;
  readonly message: string;
}

export interface FailureVerdict {
  /** Try the statement on another candidate host. */
  readonly retry: boolean;
  /** Counts against the host (null: not the host's fault). */
  readonly failure: HostFailure | null;
}

/** PostgreSQL refusals that mean "this host, not now": shutting down, starting up, recovering. */
const HOST_DOWN_STATES = new Set(['57P01', '57P02', '57P03']);

export function judgeCheckoutFailure(f: CheckoutFailureFacts): FailureVerdict {
  switch (f.kind) {
    case 'shutting_down':
      return { retry: false, failure: null };
    case 'connect_failed':
      if (!f.fromServer || HOST_DOWN_STATES.has(f.sqlstate)) return { retry: true, failure: { kind: 'connect_failed', message: f.message } };
      // Wrong password, unknown database, too many connections: the host is up; another may still serve.
      return { retry: true, failure: null };
    case 'checkout_timeout':
      // Not one connection in the whole wait: the host does not answer (a connect that hangs).
      if (f.liveServers === 0) return { retry: true, failure: { kind: 'connect_failed', message: f.message } };
      return { retry: true, failure: { kind: 'checkout_timeout', message: f.message } };
    default:
      return { retry: true, failure: null };
  }
}
