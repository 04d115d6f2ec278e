// Statements that tie a client to its server connection in transaction mode: their effect lives
// in the server session, outside anything pgdog can replay. Choice: pinned until the client
// disconnects, and the connection is reset (DISCARD ALL, pg_advisory_unlock_all via the pool's
// session reset) before reuse. Release statements (UNLISTEN *, pg_advisory_unlock_all, DISCARD,
// DEALLOCATE) are not tracked: a session lock taken twice and released once, a temp table dropped
// in a function or a cursor closed by a later COMMIT cannot be told from the frame stream reliably.

import type { ParsedStatement, StatementAnalysis } from '@pgdog/compiler';

export type PinReason = 'advisory_lock' | 'listen' | 'temp_object' | 'hold_cursor' | 'sql_prepare' | 'set_config';

const SESSION_LOCKS: ReadonlySet<string> = new Set([
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared',
]);
/** CURSOR_OPT_HOLD in DeclareCursorStmt.options. */
const CURSOR_OPT_HOLD = 0x20;
const TEMP = 't';

/**
 * Why `a` pins its client, or null. `node` is the statement's parse tree (from parseSql), needed
 * only for the rare utility statements whose analysis does not say enough.
 */
export function pinReason(a: StatementAnalysis, node: ParsedStatement['node'] | null): PinReason | null {
  for (const call of a.calls) {
    const fn = call.startsWith('pg_catalog.') ? call.slice(11) : call;
    if (SESSION_LOCKS.has(fn)) return 'advisory_lock';
    // set_config(name, value, false) outside pgdog's view changes the session; treated as a pin
    // unless the session tracker recognised it (it only knows SET / RESET).
    if (fn === 'set_config') return 'set_config';
  }
  switch (a.node) {
    case 'ListenStmt':
      return 'listen';
    case 'PrepareStmt':
      return 'sql_prepare';
    case 'DeclareCursorStmt': {
      const opts = field(node, 'DeclareCursorStmt', 'options');
      return typeof opts === 'number' && (opts & CURSOR_OPT_HOLD) !== 0 ? 'hold_cursor' : null;
    }
    case 'CreateStmt':
      return persistence(field(node, 'CreateStmt', 'relation')) === TEMP ? 'temp_object' : null;
    case 'CreateSeqStmt':
      return persistence(field(node, 'CreateSeqStmt', 'sequence')) === TEMP ? 'temp_object' : null;
    case 'ViewStmt':
      return persistence(field(node, 'ViewStmt', 'view')) === TEMP ? 'temp_object' : null;
    case 'CreateTableAsStmt':
      return persistence(field(field(node, 'CreateTableAsStmt', 'into'), null, 'rel')) === TEMP ? 'temp_object' : null;
    case 'SelectStmt':
      if (a.into === null) return null;
      return persistence(field(field(node, 'SelectStmt', 'intoClause'), null, 'rel')) === TEMP ? 'temp_object' : null;
    default:
      return null;
  }
}

/** Statements worth a parse-tree look: pinReason needs `node` only for these. */
export function needsParseTree(a: StatementAnalysis): boolean {
  return a.node === 'DeclareCursorStmt' || a.node === 'CreateStmt' || a.node === 'CreateSeqStmt' || a.node === 'ViewStmt'
    || a.node === 'CreateTableAsStmt' || (a.node === 'SelectStmt' && a.into !== null)
    || a.node === 'DeallocateStmt' || a.node === 'DiscardStmt';
}

function field(node: unknown, wrapper: string | null, key: string): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  const inner = wrapper === null ? node : (node as Record<string, unknown>)[wrapper];
  if (inner === null || typeof inner !== 'object') return undefined;
  return (inner as Record<string, unknown>)[key];
}

function persistence(rel: unknown): unknown {
  return field(rel, null, 'relpersistence');
}
