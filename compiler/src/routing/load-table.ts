// Reading a routing table back from its JSON (`pgdog compile --check`, `pgdog serve --routes`).
// The file may be old, edited by hand or truncated, so it is checked as strictly as the compiler
// would have produced it: JSON Schema first, then what a schema cannot say (shard numbering,
// rule expressions that rebuild, mapping values of the column's type).

import { validateRoutesJson } from '@pgdog/schemas';
import { deepFreeze } from '../config/normalize.js';
import { prepareRoutingTable } from './prepared-table.js';
import { ROUTING_TABLE_VERSION, type RoutingTable } from './table.js';

export type LoadedRoutingTable = { ok: true; table: RoutingTable } | { ok: false; errors: string[] };

function schemaErrors(): string[] {
  return (validateRoutesJson.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is invalid'}`);
}

/** Checks parsed JSON; the returned table is deep-frozen. */
export function checkRoutingTable(data: unknown): LoadedRoutingTable {
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof data === 'object' && data !== null && version !== ROUTING_TABLE_VERSION) {
    return { ok: false, errors: [`unsupported routing table version ${JSON.stringify(version)} (this pgdog reads version ${ROUTING_TABLE_VERSION}); recompile with pgdog compile`] };
  }
  if (!validateRoutesJson(data)) return { ok: false, errors: schemaErrors() };
  const table = data as RoutingTable;
  const errors: string[] = [];
  const names = new Set<string>();
  table.databases.forEach((db, i) => {
    if (names.has(db.name)) errors.push(`/databases/${i}/name: database "${db.name}" appears twice`);
    names.add(db.name);
    db.shards.forEach((s, k) => {
      if (s.shard !== k) errors.push(`/databases/${i}/shards/${k}/shard: shard ${s.shard} at position ${k}; shards must be numbered 0..N-1 in order`);
    });
  });
  if (errors.length > 0) return { ok: false, errors };
  try {
    // Rebuilds rule matchers and mapping lookups: throws on anything malformed.
    prepareRoutingTable(deepFreeze(table) as RoutingTable);
  } catch (err) {
    return { ok: false, errors: [(err as Error).message] };
  }
  return { ok: true, table };
}

export function parseRoutingTable(text: string): LoadedRoutingTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`not JSON: ${(err as Error).message}`] };
  }
  return checkRoutingTable(data);
}
