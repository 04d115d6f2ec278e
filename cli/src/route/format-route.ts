// Human output of one route (`pgdog route` without --json).
import type { Route } from '@pgdog/compiler';

function where(r: Route): string {
  if (r.blocked !== null) return `BLOCKED (SQLSTATE ${r.blocked.sqlstate}): ${r.blocked.message}`;
  const shards = r.shards === 'all' ? 'all shards' : r.shards.length === 1 ? `shard ${r.shards[0]}` : `shards ${r.shards.join(', ')}`;
  const by = r.rule !== null ? `${r.source}, rule "${r.rule}"` : r.source;
  return `${shards}, ${r.role}  [${by}]`;
}

export function formatRoute(r: Route): string[] {
  return [`query:  ${r.query.replace(/\s*\n\s*/g, ' ')}`, `route:  ${where(r)}`, `reason: ${r.reason}`];
}
