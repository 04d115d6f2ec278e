// A checked-out server. The holder attaches its sink to `server`, uses it, detaches, and releases
// the lease once, saying in what state it leaves the server; further releases are ignored.

import type { ServerConnection } from '../backend/server-connection.js';
import type { PoolEntry } from './server-lists.js';
import type { ReleaseOutcome } from './states.js';

export interface ReleaseOptions {
  /** Session mode: run DISCARD ALL before the server is reused. */
  readonly reset?: boolean;
}

/** What a lease needs from its pool. */
export interface LeaseOwner {
  checkin(entry: PoolEntry, outcome: ReleaseOutcome, reset: boolean): void;
}

export class Lease {
  readonly server: ServerConnection;
  /** Milliseconds the checkout waited for this server. */
  readonly waitedMs: number;
  private readonly owner: LeaseOwner;
  private readonly entry: PoolEntry;
  private done: boolean;

  constructor(owner: LeaseOwner, entry: PoolEntry, server: ServerConnection, waitedMs: number) {
    this.owner = owner;
    this.entry = entry;
    this.server = server;
    this.waitedMs = waitedMs;
    this.done = false;
  }

  get released(): boolean {
    return this.done;
  }

  /**
   * clean: at ReadyForQuery, idle. dirty: at ReadyForQuery inside a transaction (ROLLBACK, bounded
   * by rollback_timeout, else closed). broken: anything else; the server is closed. Idempotent.
   */
  release(outcome: ReleaseOutcome = 'clean', options: ReleaseOptions = {}): void {
    if (this.done) return;
    this.done = true;
    this.server.detach();
    this.owner.checkin(this.entry, outcome, options.reset === true);
  }
}
