// Where a transaction runs: a shard and a role. Derived from route(); compared when a client's
// next statement arrives while a server is still attached. Pure.

import type { HostRole } from './candidates.js';

export interface Target {
  readonly shard: number;
  readonly role: HostRole;
}

const cache: Target[][] = [[], []];

/** Interned, so targets can be compared and kept without allocating per statement. */
export function target(shard: number, role: HostRole): Target {
  const byRole = cache[role === 'primary' ? 0 : 1];
  let t = byRole[shard];
  if (t === undefined) {
    t = Object.freeze({ shard, role });
    byRole[shard] = t;
  }
  return t;
}

export const PRIMARY_SHARD_0 = target(0, 'primary');

/**
 * The target of a route: its shard when it names exactly one, else shard 0. Serving one statement
 * on several shards is the sharded-serving issue's; until then a multi-shard route runs on shard 0.
 */
export function targetOfRoute(shards: readonly number[] | 'all', role: HostRole): Target {
  return target(shards !== 'all' && shards.length === 1 ? shards[0] : 0, role);
}

/**
 * May a server chosen for `attached` run a statement that wants `wanted`? Same shard, and a replica
 * only for reads (a primary serves both).
 */
export function serves(attached: Target, wanted: Target): boolean {
  return attached.shard === wanted.shard && (attached.role === 'primary' || wanted.role === 'replica');
}
