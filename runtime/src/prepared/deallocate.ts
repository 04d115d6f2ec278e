// SQL-level DEALLOCATE / DISCARD ALL from a client in transaction mode. The client's names live in
// pgdog, not on any server, so these are answered from the client's mapping; the shared server-side
// statements stay for everyone else.

import type { ParsedStatement, StatementAnalysis } from '@pgdog/compiler';
import { writeCommandComplete } from '../protocol/backend/command-complete.js';
import { writeReadyForQuery, TransactionStatus } from '../protocol/backend/ready-for-query.js';
import { MessageWriter } from '../protocol/writer.js';
import { quoteLiteral } from '../params/quote.js';
import { statementKey, type ClientStatements } from './client-statements.js';
import { SERVER_NAME_PREFIX } from './statement-cache.js';

export type SimpleQueryDecision =
  /** Not ours: forward the Query unchanged. */
  | { readonly kind: 'forward' }
  /** Answer locally with these frames (CommandComplete + ReadyForQuery); nothing goes to a server. */
  | { readonly kind: 'answer'; readonly frames: Buffer; readonly discardAll: boolean }
  /** Send this SQL instead (it fails on the server exactly as PostgreSQL would have). */
  | { readonly kind: 'replace'; readonly sql: string };

const FORWARD: SimpleQueryDecision = Object.freeze({ kind: 'forward' });
const writer = new MessageWriter(128);

/**
 * For a simple Query holding exactly one statement. `status`: the client's transaction status
 * (last ReadyForQuery); `pinned`: the client holds its server for the session (its own SQL-level
 * PREPAREs live there, so unknown names and DEALLOCATE ALL go to that server too).
 */
export function decideDeallocate(a: StatementAnalysis, node: ParsedStatement['node'], client: ClientStatements, status: number, pinned: boolean): SimpleQueryDecision {
  // In a failed block PostgreSQL answers 25P02 and changes nothing: the server says so itself.
  if (status === TransactionStatus.Failed) return FORWARD;
  if (a.node === 'DeallocateStmt') {
    const d = (node as { DeallocateStmt?: { name?: string; isall?: boolean } }).DeallocateStmt ?? {};
    if (d.isall === true || d.name === undefined) {
      client.clear();
      return pinned ? FORWARD : answer('DEALLOCATE ALL', status, false);
    }
    if (client.delete(statementKey(d.name))) return answer('DEALLOCATE', status, false);
    // A name in pgdog's namespace must never reach a server, pinned or not: it would drop a
    // statement pgdog shares. Other names: the server's own error (or, pinned, its SQL PREPARE).
    if (d.name.toLowerCase().startsWith(SERVER_NAME_PREFIX)) return { kind: 'replace', sql: raiseMissing(d.name) };
    return FORWARD;
  }
  if (a.node === 'DiscardStmt') {
    const target = (node as { DiscardStmt?: { target?: string } }).DiscardStmt?.target;
    // Inside a block PostgreSQL refuses DISCARD ALL (25001); the server gives that answer.
    if (target !== 'DISCARD_ALL' || status !== TransactionStatus.Idle) return FORWARD;
    client.clear();
    return pinned ? FORWARD : answer('DISCARD ALL', status, true);
  }
  return FORWARD;
}

function answer(tag: string, status: number, discardAll: boolean): SimpleQueryDecision {
  writeCommandComplete(writer, tag);
  writeReadyForQuery(writer, status as TransactionStatus);
  return { kind: 'answer', frames: Buffer.from(writer.take()), discardAll };
}

function raiseMissing(name: string): string {
  const message = `prepared statement "${name}" does not exist`;
  return `DO $pgdog$BEGIN RAISE EXCEPTION USING ERRCODE = '26000', MESSAGE = ${quoteLiteral(message)}; END$pgdog$`;
}
