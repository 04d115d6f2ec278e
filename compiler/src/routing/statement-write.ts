// Whether a statement must run on a primary, as routing sees it. The analysis counts every COPY
// as a write; COPY ... TO only reads (COPY (DELETE ... RETURNING) TO, which PostgreSQL allows, is
// the exception this cannot see).
import type { StatementAnalysis } from '../sql/types.js';

export function isWriteStatement(stmt: StatementAnalysis): boolean {
  if (stmt.kind === 'copy' && stmt.copy !== null && stmt.copy.direction === 'to') return stmt.locking !== null;
  return stmt.write;
}
