// A logged-in client keeps the pool it was given at login for its whole life. A reload may replace
// that pool (new size, new host, new password) or retire it (the user lost the database); the
// handle is what the client holds instead, and the reload points it at the replacement, so the
// client's next transaction runs on the new pool while its current one finishes on the old.

import type { Target } from '../balance/target.js';
import type { LeasePort, PoolPort } from '../frontend/server-port.js';
import { Pool } from './pool.js';
import { PoolError } from './pool-error.js';
import { SqlState } from '../protocol/sqlstate.js';

export class PoolHandle implements PoolPort {
  private current: PoolPort;
  /** "user@database", for the error once the pool is gone. */
  private readonly name: string;

  constructor(name: string, pool: PoolPort) {
    this.name = name;
    this.current = pool;
  }

  /** Where checkouts go from now on; null: the reload removed this user's access. */
  point(pool: PoolPort | null): void {
    this.current = pool ?? new RetiredPool(this.name);
  }

  get target(): PoolPort {
    return this.current;
  }

  tryCheckout(target?: Target | null): LeasePort | null {
    return this.current.tryCheckout(target);
  }

  checkout(opts: { timeoutMs: number }, target?: Target | null): Promise<LeasePort> {
    const pool = this.current;
    return pool.checkout(opts, target).catch((err: unknown) => {
      if (this.turnedAway(pool, err)) return this.checkout(opts, target);
      throw err;
    });
  }

  /**
   * Pool.checkoutOrWait through the handle: null while waiting (then `onLease` or `onError` is
   * called), else a promise as from checkout(). A balancer has no such path: its promise.
   */
  checkoutOrWait(opts: { timeoutMs: number }, target: Target | null, onLease: (lease: LeasePort) => void, onError: (err: unknown) => void): Promise<LeasePort> | null {
    const pool = this.current;
    if (!(pool instanceof Pool)) return this.checkout(opts, target);
    const atOnce = pool.checkoutOrWait(opts, onLease, (err) => {
      if (!this.turnedAway(pool, err)) {
        onError(err);
        return;
      }
      const again = this.checkoutOrWait(opts, target, onLease, onError);
      if (again !== null) again.then(onLease, onError);
    });
    if (atOnce === null) return null;
    return atOnce.catch((err: unknown) => {
      if (this.turnedAway(pool, err)) return this.checkout(opts, target);
      throw err;
    });
  }

  /** A waiter of a pool the reload drained is turned away; the replacement can serve it. */
  private turnedAway(pool: PoolPort, err: unknown): boolean {
    return this.current !== pool && err instanceof PoolError && err.kind === 'shutting_down';
  }
}

/** The pool of a user or database a reload removed: every checkout is refused. */
class RetiredPool implements PoolPort {
  constructor(private readonly name: string) {}

  tryCheckout(): LeasePort | null {
    return null;
  }

  checkout(): Promise<LeasePort> {
    return Promise.reject(
      new PoolError('shutting_down', SqlState.InvalidAuthorizationSpecification, this.name, `pgdog: ${this.name} was removed from the configuration by a reload`),
    );
  }
}
