// Whether a user's traffic to a database must be read at all. With one host and one shard there is
// nothing to choose, so frames pass through unread (the hot path); routing work starts only where a
// host, a shard or a block rule is to be decided. Pure.

export interface RoutingNeedInput {
  /** Hosts per shard. */
  readonly shardHosts: readonly number[];
  /** The config's query rules (only scope and route matter here). */
  readonly rules: readonly { readonly route: string; readonly database?: string; readonly user?: string }[];
  readonly database: string;
  readonly user: string;
}

export function needsRouting(i: RoutingNeedInput): boolean {
  if (i.shardHosts.length > 1 || i.shardHosts.some((n) => n > 1)) return true;
  // A single host still refuses what a block rule says to refuse.
  return i.rules.some((r) => r.route === 'block' && (r.database === undefined || r.database === i.database) && (r.user === undefined || r.user === i.user));
}
