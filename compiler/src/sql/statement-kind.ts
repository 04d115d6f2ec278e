// Statement kind from the libpg-query node name.
import type { StatementKind } from './types.js';

/** DDL that does not start with Create / Alter / Drop. */
const OTHER_DDL: ReadonlySet<string> = new Set([
  'TruncateStmt', 'IndexStmt', 'ViewStmt', 'RenameStmt', 'CommentStmt', 'GrantStmt', 'GrantRoleStmt',
  'DefineStmt', 'CompositeTypeStmt', 'RuleStmt', 'ReassignOwnedStmt', 'SecLabelStmt',
  'RefreshMatViewStmt', 'ImportForeignSchemaStmt',
]);

const DML: Readonly<Record<string, StatementKind>> = {
  SelectStmt: 'select',
  InsertStmt: 'insert',
  UpdateStmt: 'update',
  DeleteStmt: 'delete',
  CopyStmt: 'copy',
  VariableSetStmt: 'set',
  TransactionStmt: 'transaction',
};

export function statementKind(node: string): StatementKind {
  const kind = DML[node];
  if (kind !== undefined) return kind;
  if (node.startsWith('Create') || node.startsWith('Alter') || node.startsWith('Drop') || OTHER_DDL.has(node)) {
    return 'ddl';
  }
  return 'other';
}

/** The only key of a wrapped node (`{ SelectStmt: {...} }` -> `SelectStmt`). */
export function nodeName(node: object): string {
  for (const key in node) return key;
  return '';
}
