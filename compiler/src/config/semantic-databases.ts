// Checks on the host list itself: [[servers]] vs [[databases]], duplicate servers, shard numbering.

import { clash, finding, type Finding } from './finding.js';
import type { DatabaseIndex, HostEntry } from './database-index.js';
import { childPointer } from './pointer.js';
import { asArray, has, type Table } from './shape.js';

export function checkServersAndDatabases(pgdog: Table): Finding[] {
  if (has(pgdog, 'servers') && has(pgdog, 'databases')) {
    return [finding('pgdog', '/servers', 'value', 'E_SERVERS_AND_DATABASES', {})];
  }
  return [];
}

function describeHost(e: HostEntry): string {
  return `${e.host}:${e.port}/${e.databaseName}`;
}

/**
 * The same PostgreSQL database listed twice inside one cluster is never what was meant: twice
 * with the same role doubles the weight of that host, and under two shards it makes two shards
 * one. The same server as primary and as replica of one shard is a common test setup, so
 * that is only a warning (pgDog's own check warns on duplicates too).
 */
export function checkDuplicateHosts(index: DatabaseIndex): Finding[] {
  const out: Finding[] = [];
  for (const info of index.values()) {
    const seen = new Map<string, HostEntry[]>();
    for (const e of info.entries) {
      if (e.host === undefined || e.port === undefined || e.databaseName === undefined || e.shard === undefined) continue;
      const target = `${e.host.toLowerCase()}\0${e.port}\0${e.databaseName}`;
      const earlier = seen.get(target) ?? [];
      const dup = earlier.find((o) => o.shard !== e.shard) ?? earlier.find((o) => o.role === e.role);
      const sameShardOtherRole = earlier.find((o) => o.shard === e.shard && o.role !== e.role);
      const at = childPointer(e.pointer, 'host');
      if (dup) {
        const other = `shard ${dup.shard} ${dup.role}`;
        out.push(clash('pgdog', at, 'value', 'E_DUPLICATE_HOST', { database: info.name, target: describeHost(e), other }, dup.pointer));
      } else if (sameShardOtherRole) {
        const params = { database: info.name, target: describeHost(e), role: `${e.role}`, other: `${sameShardOtherRole.role}` };
        out.push(clash('pgdog', at, 'value', 'W_SAME_SERVER_ROLES', params, sameShardOtherRole.pointer));
      }
      earlier.push(e);
      seen.set(target, earlier);
    }
  }
  return out;
}

/** Shards are addressed by number (hash modulo N), so a database's shards must be 0..N-1. */
export function checkShardNumbers(index: DatabaseIndex): Finding[] {
  const out: Finding[] = [];
  for (const info of index.values()) {
    const shards = new Set<number>();
    for (const e of info.entries) if (e.shard !== undefined && e.shard >= 0) shards.add(e.shard);
    if (shards.size === 0) continue;
    const sorted = [...shards].sort((a, b) => a - b);
    const missing: number[] = [];
    for (let s = 0; s < sorted[sorted.length - 1]; s++) if (!shards.has(s)) missing.push(s);
    if (missing.length === 0) continue;
    const culprit = info.entries.find((e) => e.shard !== undefined && e.shard > missing[0]) as HostEntry;
    out.push(
      finding('pgdog', childPointer(culprit.pointer, 'shard'), 'value', 'E_SHARD_GAP', {
        database: info.name,
        shards: sorted.join(', '),
        missing: missing.length > 5 ? `${missing.slice(0, 5).join(', ')}, ...` : missing.join(', '),
      }),
    );
  }
  return out;
}

export function checkHasDatabases(pgdog: Table): Finding[] {
  // A malformed section (not an array) is the schema stage's to report.
  const count = (key: string) => (has(pgdog, key) ? (asArray(pgdog[key])?.length ?? 1) : 0);
  return count('databases') + count('servers') === 0 ? [finding('pgdog', '', 'value', 'W_NO_DATABASES', {})] : [];
}
