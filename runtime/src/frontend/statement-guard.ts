// Statement pooling hands the server back after every statement, so a transaction block would
// leave its server mid-transaction. Statements that open one are refused before they reach a
// server, wherever they stand in a multi-statement Query. The decision reads the compiler's SQL
// analysis (the same cached plans routing uses), so quoting, comments and dollar-quoted bodies
// (a DO block's BEGIN) are told apart as PostgreSQL's own parser does. Only called in statement
// mode: other modes never decode the query text for this.

import type { QueryAnalysis } from '@pgdog/compiler';

/**
 * True when a statement of `analysis` opens a transaction block: BEGIN / START TRANSACTION, or
 * COMMIT / ROLLBACK AND CHAIN (which starts the next one). Text that does not parse is left to
 * the server, whose error is the answer.
 */
export function opensTransactionBlock(analysis: QueryAnalysis): boolean {
  if (!analysis.ok) return false;
  const statements = analysis.statements;
  for (let i = 0; i < statements.length; i++) {
    const t = statements[i].transaction;
    if (t !== null && (t.action === 'begin' || t.chain)) return true;
  }
  return false;
}
