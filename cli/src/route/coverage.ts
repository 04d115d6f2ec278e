// The coverage summary of `pgdog route --log`: how the calls of a query log split between
// single-shard, multi-shard and all-shard routes, primary and replica, and what is blocked; and
// which query shapes cause the most broadcasts. Every share is of calls (pg_stat_statements
// weights), not of lines.

import type { Route } from '@pgdog/compiler';

export interface BroadcastShape {
  /** The first query text seen with this shape. */
  query: string;
  calls: number;
  reason: string;
}

export interface CoverageCounts {
  queries: number;
  calls: number;
  singleShard: number;
  multiShard: number;
  allShards: number;
  /** Part of allShards: a sharding key whose parameter has no value in the log ($1). */
  unboundKey: number;
  blocked: number;
  primary: number;
  replica: number;
  unparsed: number;
}

export class Coverage {
  readonly counts: CoverageCounts = {
    queries: 0, calls: 0, singleShard: 0, multiShard: 0, allShards: 0, unboundKey: 0, blocked: 0, primary: 0, replica: 0, unparsed: 0,
  };
  private readonly broadcasts = new Map<string, BroadcastShape>();

  /** `shape`: a key that is equal for queries differing only in literals. */
  add(route: Route, calls: number, shape: string, parsed: boolean): void {
    const c = this.counts;
    c.queries++;
    c.calls += calls;
    if (!parsed) c.unparsed += calls;
    if (route.blocked !== null) {
      c.blocked += calls;
      return;
    }
    if (route.role === 'primary') c.primary += calls;
    else c.replica += calls;
    if (route.shards === 'all') {
      c.allShards += calls;
      // route() reports a key it could not evaluate for want of a bound value this way.
      if (route.source === 'sharding_key') c.unboundKey += calls;
      else this.broadcast(route, calls, shape);
    } else if (route.shards.length > 1) c.multiShard += calls;
    else c.singleShard += calls;
  }

  private broadcast(route: Route, calls: number, shape: string): void {
    const b = this.broadcasts.get(shape);
    if (b !== undefined) b.calls += calls;
    else this.broadcasts.set(shape, { query: route.query, calls, reason: route.reason });
  }

  /** Broadcast shapes with the most calls first (ties: first seen first). */
  topBroadcasts(limit: number): BroadcastShape[] {
    return [...this.broadcasts.values()].sort((a, b) => b.calls - a.calls).slice(0, limit);
  }
}

export interface CoverageJson {
  file: string;
  format: string;
  queries: number;
  calls: number;
  seconds: number;
  shares: {
    single_shard: number;
    multi_shard: number;
    all_shards: number;
    unbound_key: number;
    blocked: number;
    primary: number;
    replica: number;
    unparsed: number;
  };
  top_broadcasts: { query: string; calls: number; share: number; reason: string }[];
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10000) / 10000;
}

export function coverageJson(cov: Coverage, file: string, format: string, seconds: number, top: number): CoverageJson {
  const c = cov.counts;
  return {
    file,
    format,
    queries: c.queries,
    calls: c.calls,
    seconds: Math.round(seconds * 1000) / 1000,
    shares: {
      single_shard: share(c.singleShard, c.calls),
      multi_shard: share(c.multiShard, c.calls),
      all_shards: share(c.allShards, c.calls),
      unbound_key: share(c.unboundKey, c.calls),
      blocked: share(c.blocked, c.calls),
      primary: share(c.primary, c.calls),
      replica: share(c.replica, c.calls),
      unparsed: share(c.unparsed, c.calls),
    },
    top_broadcasts: cov.topBroadcasts(top).map((b) => ({ query: b.query, calls: b.calls, share: share(b.calls, c.calls), reason: b.reason })),
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
const num = (x: number): string => x.toLocaleString('en-US');

function clip(text: string, width: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > width ? `${one.slice(0, width - 3)}...` : one;
}

export function formatCoverage(j: CoverageJson): string[] {
  const s = j.shares;
  const rate = j.seconds > 0 ? `, ${num(Math.round(j.queries / j.seconds))} queries/s` : '';
  const lines = [
    `${j.file}: ${num(j.queries)} queries, ${num(j.calls)} calls (${j.format === 'pg_stat_statements' ? 'pg_stat_statements CSV, weighted by calls' : 'one statement per line'}), routed in ${j.seconds.toFixed(2)} s${rate}`,
    `  single-shard  ${pct(s.single_shard)}`,
    `  multi-shard   ${pct(s.multi_shard)}`,
    `  all shards    ${pct(s.all_shards)}`,
  ];
  if (s.unbound_key > 0) lines.push(`    of which ${pct(s.unbound_key).trim()} have a sharding key bound at run time ($n): one shard per call once bound`);
  lines.push(`  blocked       ${pct(s.blocked)}`, `  primary       ${pct(s.primary)}`, `  replica       ${pct(s.replica)}`);
  if (s.unparsed > 0) lines.push(`  (${pct(s.unparsed).trim()} of calls did not parse)`);
  if (j.top_broadcasts.length > 0) {
    lines.push('Top broadcast queries (all shards), by calls:');
    for (const b of j.top_broadcasts) {
      lines.push(`  ${pct(b.share)}  ${num(b.calls).padStart(10)} calls  ${clip(b.query, 100)}`);
      lines.push(`${' '.repeat(27)}${clip(b.reason, 100)}`);
    }
  }
  return lines;
}
