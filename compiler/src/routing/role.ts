// Primary or replica when nothing (plugin, hint, rule) asked for one (SPEC §3.2 read/write):
// writes go to the primary; reads go to a replica when the database has one, except inside an
// explicit read-write transaction under the conservative strategy, or with prefer_primary.

import type { StatementAnalysis } from '../sql/types.js';
import type { PreparedDatabase, PreparedTable } from './prepared-table.js';
import type { RouteRole } from './route-types.js';
import type { SessionState } from './session-state.js';
import { isWriteStatement } from './statement-write.js';

export interface RoleChoice {
  readonly role: RouteRole;
  /** Clause for the reason sentence. */
  readonly why: string;
}

/** Transaction control is a write unless it opens or ends a read-only transaction. */
function isWrite(stmt: StatementAnalysis | null, s: SessionState): boolean {
  if (stmt === null) return true;
  const t = stmt.transaction;
  if (t !== null) return t.action === 'begin' ? t.modes.readOnly !== true : !s.transactionReadOnly;
  return isWriteStatement(stmt);
}

// Every outcome is one of these: shared, so choosing a role allocates nothing.
const WRITE: RoleChoice = Object.freeze({ role: 'primary', why: 'a write, so the primary' });
const UNPARSED: RoleChoice = Object.freeze({ role: 'primary', why: 'an unparsed query counts as a write, so the primary' });
const NO_REPLICAS: RoleChoice = Object.freeze({ role: 'primary', why: 'a read, on the primary (the database has no replicas)' });
const PREFER_PRIMARY: RoleChoice = Object.freeze({ role: 'primary', why: 'a read, kept on the primary by read_write_split = "prefer_primary"' });
const IN_WRITE_TRANSACTION: RoleChoice = Object.freeze({ role: 'primary', why: 'a read inside a read-write transaction, so the primary' });
const REPLICA: RoleChoice = Object.freeze({ role: 'replica', why: 'a read, served by a replica' });

export function defaultRole(p: PreparedTable, db: PreparedDatabase, stmt: StatementAnalysis | null, s: SessionState): RoleChoice {
  if (isWrite(stmt, s)) return stmt === null ? UNPARSED : WRITE;
  if (!db.hasReplicas) return NO_REPLICAS;
  if (p.readWriteSplit === 'prefer_primary') return PREFER_PRIMARY;
  const opensReadOnly = stmt?.transaction?.action === 'begin';
  if (s.inTransaction && !s.transactionReadOnly && !opensReadOnly && p.readWriteStrategy === 'conservative') return IN_WRITE_TRANSACTION;
  return REPLICA;
}
