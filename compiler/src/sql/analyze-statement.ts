// Analysis of one parsed statement.
import type { DropStmt, Node } from 'libpg-query';
import type { KeyExpr, StatementAnalysis, StatementKind } from './types.js';
import type { ByteToChar } from './text-offsets.js';
import { ALL } from './key-expr.js';
import { StatementWalker } from './statement-walker.js';
import { nodeName, statementKind } from './statement-kind.js';
import { transactionInfo } from './transaction.js';
import { setInfo } from './set-statement.js';
import { copyInfo } from './copy-statement.js';

/** Object types whose DROP names tables (for `tables`). */
const DROPPED_RELATIONS: ReadonlySet<string> = new Set([
  'OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE',
]);

export function analyzeStatement(node: Node, text: string, toChar: ByteToChar): StatementAnalysis {
  const name = nodeName(node);
  if (name === 'ExplainStmt' && 'ExplainStmt' in node && node.ExplainStmt.query) {
    const inner = analyzeStatement(node.ExplainStmt.query, text, toChar);
    return { ...inner, node: name, explain: true };
  }
  const kind = statementKind(name);
  const w = new StatementWalker(text, toChar);
  const result = base(kind, name);
  let keyExpr: KeyExpr = ALL;
  let keysApply = true;

  if ('SelectStmt' in node) keyExpr = w.select(node.SelectStmt, null);
  else if ('InsertStmt' in node) {
    const r = w.insert(node.InsertStmt, null);
    keyExpr = r.expr;
    result.insert = r.info;
  } else if ('UpdateStmt' in node) keyExpr = w.update(node.UpdateStmt, null);
  else if ('DeleteStmt' in node) keyExpr = w.delete(node.DeleteStmt, null);
  else if ('CopyStmt' in node) {
    const c = node.CopyStmt;
    const table = c.relation ? w.addTable(c.relation) : null;
    if (c.query) keyExpr = w.statement(c.query, null);
    w.any(c.whereClause, null);
    result.copy = copyInfo(c, table);
  } else if ('VariableSetStmt' in node) {
    result.set = setInfo(node.VariableSetStmt, text, toChar);
  } else if ('TransactionStmt' in node) {
    result.transaction = transactionInfo(node.TransactionStmt);
  } else if ('VariableShowStmt' in node) {
    result.show = node.VariableShowStmt.name?.toLowerCase() ?? null;
  } else {
    // DDL and utility statements: tables and calls only; they are not key-routed.
    keysApply = false;
    if ('CallStmt' in node && node.CallStmt.funccall) w.call(node.CallStmt.funccall);
    if ('DropStmt' in node) dropTables(w, node.DropStmt);
    w.any(node, null);
  }

  result.write = isWrite(kind, name, w.write);
  result.locking = w.locking;
  result.tables = w.tables;
  result.calls = w.calls;
  result.keys = keysApply ? w.keys : [];
  result.keyExpr = keysApply ? keyExpr : ALL;
  result.assigned = w.assigned;
  result.into = w.into;
  return result;
}

/** Writes: every statement except plain reads and session / transaction control, which the
 *  router handles on their own (SET, BEGIN/COMMIT, SHOW). */
function isWrite(kind: StatementKind, node: string, walkerWrite: boolean): boolean {
  switch (kind) {
    case 'select':
      return walkerWrite;
    case 'set':
    case 'transaction':
      return false;
    case 'other':
      return node !== 'VariableShowStmt';
    default:
      return true;
  }
}

function dropTables(w: StatementWalker, d: DropStmt): void {
  if (!DROPPED_RELATIONS.has(d.removeType ?? '')) return;
  for (const o of d.objects ?? []) {
    if (!('List' in o)) continue;
    const names = (o.List.items ?? []).map((i) => ('String' in i ? i.String.sval ?? '' : ''));
    w.addTableByName(names);
  }
}

function base(kind: StatementKind, node: string): StatementAnalysis {
  return {
    kind,
    node,
    explain: false,
    write: false,
    locking: null,
    tables: [],
    calls: [],
    keys: [],
    keyExpr: ALL,
    assigned: [],
    into: null,
    transaction: null,
    set: null,
    insert: null,
    copy: null,
    show: null,
  };
}
