// One user's way into one database with a choice of hosts: picks the host for a target (shard,
// role) through its HostGroup, and when a checkout fails before anything was sent, tries the next
// candidate, so the client never sees a dead host that another could replace. Reports failures
// back to the group, which decides about bans.

import { judgeCheckoutFailure, type CheckoutFailureFacts } from '../balance/failure.js';
import { target as makeTarget, type Target } from '../balance/target.js';
import { ServerError } from '../backend/server-error.js';
import { SqlState } from '../protocol/sqlstate.js';
import type { HostGroup, HostOrder } from './host-group.js';
import type { Lease } from './lease.js';
import type { CheckoutOptions, Pool } from './pool.js';
import { PoolError } from './pool-error.js';

export interface BalancedShard {
  readonly group: HostGroup;
  /** By host index of the group. */
  readonly pools: readonly Pool[];
}

export class Balancer {
  /** "user@database". */
  readonly name: string;
  private readonly shards: readonly BalancedShard[];
  /** Where a checkout without a target goes: the primary of shard 0, else its replicas. */
  private readonly defaultTarget: Target;
  /**
   * The order picked by a tryCheckout that found nothing idle, for the checkout() that follows it
   * in the same dispatch: picking again would advance round robin twice for one statement.
   */
  private pickedFor: Target | null;
  private picked: HostOrder | null;

  constructor(name: string, shards: readonly BalancedShard[]) {
    this.name = name;
    this.shards = shards;
    const first = shards[0];
    this.defaultTarget = makeTarget(0, first.group.hosts.some((h) => h.role === 'primary') ? 'primary' : 'replica');
    this.pickedFor = null;
    this.picked = null;
  }

  /** An idle server of the first-choice host, or null (the choice is kept for checkout()). */
  tryCheckout(target?: Target | null): Lease | null {
    const t = this.resolve(target);
    const shard = this.shards[t.shard];
    const order = shard.group.order(t.role);
    if (!order.ok) {
      this.keep(t, order);
      return null;
    }
    const host = order.hosts[0];
    const lease = shard.pools[host].tryCheckout();
    if (lease !== null) {
      shard.group.succeeded(host);
      return lease;
    }
    this.keep(t, order);
    return null;
  }

  async checkout(options: CheckoutOptions = {}, target?: Target | null): Promise<Lease> {
    const t = this.resolve(target);
    const shard = this.shards[t.shard];
    let order: HostOrder;
    if (this.pickedFor === t && this.picked !== null) order = this.picked;
    else order = shard.group.order(t.role);
    this.pickedFor = null;
    this.picked = null;
    if (!order.ok) throw new PoolError('connect_failed', SqlState.ConnectionFailure, this.name, `pgdog: ${this.name}: ${order.message}`);
    const causes: string[] = [];
    let last: unknown = null;
    const tried = new Set<number>();
    let hosts: readonly number[] = order.hosts;
    for (let i = 0; i < hosts.length; i++) {
      const host = hosts[i];
      tried.add(host);
      const pool = shard.pools[host];
      try {
        const lease = await pool.checkout(options);
        shard.group.succeeded(host);
        return lease;
      } catch (err) {
        last = err;
        const verdict = judgeCheckoutFailure(facts(err, pool));
        if (verdict.failure !== null) shard.group.failed(host, verdict.failure);
        if (!verdict.retry) throw err;
        const h = shard.group.hosts[host];
        causes.push(`${h.role} ${h.host}:${h.port}: ${stripPrefix(err)}`);
      }
      if (i === hosts.length - 1) {
        // Every candidate failed, and the failures may have banned them: the role may now have
        // other candidates (include_primary_if_replica_banned falls back to the primary).
        const again = shard.group.order(t.role);
        if (again.ok) {
          const fresh = again.hosts.filter((x) => !tried.has(x));
          if (fresh.length > 0) {
            hosts = [...hosts, ...fresh];
          }
        }
      }
    }
    if (tried.size === 1) throw last;
    const kind = last instanceof PoolError ? last.kind : 'connect_failed';
    const sqlstate = last instanceof PoolError ? last.sqlstate : SqlState.ConnectionFailure;
    throw new PoolError(kind, sqlstate, this.name, `pgdog: no ${t.role === 'primary' ? 'primary' : 'host for reads'} of ${this.name}${t.shard !== 0 ? ` shard ${t.shard}` : ''} could give a connection: ${causes.join('; ')}`, last);
  }

  private resolve(target: Target | null | undefined): Target {
    if (target === null || target === undefined) return this.defaultTarget;
    // A route to a shard this database does not have cannot be served; shard 0 answers as before.
    return target.shard < this.shards.length ? target : makeTarget(0, target.role);
  }

  private keep(t: Target, order: HostOrder): void {
    this.pickedFor = t;
    this.picked = order;
  }
}

function facts(err: unknown, pool: Pool): CheckoutFailureFacts {
  const cause = err instanceof Error ? err.cause : undefined;
  const serverCause = cause instanceof ServerError ? cause : err instanceof ServerError ? err : null;
  return {
    kind: err instanceof PoolError ? err.kind : 'other',
    sqlstate: serverCause?.sqlstate ?? (err instanceof PoolError ? err.sqlstate : SqlState.ConnectionFailure),
    fromServer: serverCause?.fromServer ?? false,
    liveServers: pool.liveServers,
    message: stripPrefix(err),
  };
}

/** The cause without the "pgdog: " every layer adds. */
function stripPrefix(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replaceAll('pgdog: ', '');
}
