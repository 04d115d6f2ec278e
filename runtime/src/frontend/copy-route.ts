// What the router hands the forwarder for a COPY over several shards: the COPY's analysis and the
// database's tables, or why pgdog cannot run it there. Pure.

import type { CopyInfo, DatabaseRoutes, QueryAnalysis } from '@pgdog/compiler';
import type { TableColumnCache } from './table-columns.js';

export interface CopyRoute {
  readonly info: CopyInfo;
  readonly db: DatabaseRoutes;
  /** Live column order, for a COPY FROM without a column list. */
  readonly columns: TableColumnCache;
}

/** The COPY of a one-statement analysis, or the refusal message; null when it is no COPY. */
export function copyOf(analysis: QueryAnalysis): CopyInfo | string | null {
  if (!analysis.ok || !analysis.statements.some((s) => s.kind === 'copy')) return null;
  if (analysis.statements.length !== 1) return 'pgdog: COPY over several shards must be the only statement of its query';
  const info = analysis.statements[0].copy;
  if (info === null) return 'pgdog: COPY over several shards is not supported for this statement';
  if (!info.stdio) return 'pgdog: COPY to or from a server file or program over several shards is not supported; use STDIN / STDOUT';
  if (info.direction === 'to' && info.query) return 'pgdog: COPY (query) TO STDOUT over several shards is not supported (its rows would not be merged); COPY the table, or use a SELECT';
  return info;
}
