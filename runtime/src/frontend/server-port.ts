// What the client side needs of the pool, stated here so the frontend depends on a few members
// rather than on the pool's classes. The pool's types satisfy these structurally; server.ts is
// where the two meet. Server connections are the backend's own class.

import type { ServerConnection, ServerSink } from '../backend/server-connection.js';
import type { Target } from '../balance/target.js';

export type { ServerSink };
export type ServerPort = ServerConnection;

export type ReleaseState = 'clean' | 'dirty' | 'broken';

export interface LeasePort {
  readonly server: ServerConnection;
  release(state: ReleaseState, opts?: { reset?: boolean }): void;
}

/**
 * A pool of one host, or a balancer over several. `target` (routed mode) says which shard and role;
 * null: the default (shard 0's primary, else its replicas). A pool of one host ignores it.
 */
export interface PoolPort {
  checkout(opts: { timeoutMs: number }, target?: Target | null): Promise<LeasePort>;
  /** An idle server without waiting, else null: the caller falls back to checkout(). */
  tryCheckout(target?: Target | null): LeasePort | null;
}

/** A pool failure: SQLSTATE and message as the client should see them. */
export interface CheckoutFailure {
  readonly sqlstate: string;
  readonly message: string;
}
