// The facts a query rule is matched against, for one statement. Name lists are derived once per
// analysis object (plan-cache hits share them), and the fingerprint, which costs a parse, only
// when a rule actually reads it.

import type { RuleFacts } from '../rules/ast.js';
import { fingerprintSql } from '../sql/fingerprint.js';
import type { StatementAnalysis, TableName } from '../sql/types.js';
import { isWriteStatement } from './statement-write.js';
import { tableLabel } from './table-lookup.js';

const tableNames = new WeakMap<readonly TableName[], string[]>();
const callNames = new WeakMap<readonly string[], string[]>();

export function tableNamesOf(tables: readonly TableName[]): string[] {
  let names = tableNames.get(tables);
  if (names === undefined) {
    names = tables.map(tableLabel);
    tableNames.set(tables, names);
  }
  return names;
}

function callNamesOf(calls: readonly string[]): string[] {
  let names = callNames.get(calls);
  if (names === undefined) {
    names = calls.map((c) => c.toLowerCase());
    callNames.set(calls, names);
  }
  return names;
}

export interface FactsContext {
  user: string;
  database: string;
  applicationName: string;
  query: string;
  inTransaction: boolean;
}

/** Facts of one statement; a class so that the lazy fingerprint costs nothing per object. */
class StatementFacts implements RuleFacts {
  readonly kind: RuleFacts['kind'];
  readonly write: boolean;
  readonly locking: boolean;
  readonly inTransaction: boolean;
  readonly tables: readonly string[];
  readonly calls: readonly string[];
  readonly user: string;
  readonly database: string;
  readonly applicationName: string;
  readonly query: string;
  private fingerprintText: string | undefined = undefined;

  constructor(stmt: StatementAnalysis | null, ctx: FactsContext) {
    this.kind = stmt?.kind ?? 'other';
    this.write = stmt === null ? true : isWriteStatement(stmt);
    this.locking = stmt !== null && stmt.locking !== null;
    this.inTransaction = ctx.inTransaction;
    this.tables = stmt === null ? [] : tableNamesOf(stmt.tables);
    this.calls = stmt === null ? [] : callNamesOf(stmt.calls);
    this.user = ctx.user;
    this.database = ctx.database;
    this.applicationName = ctx.applicationName;
    this.query = ctx.query;
  }

  get fingerprint(): string {
    return (this.fingerprintText ??= fingerprintSql(this.query));
  }
}

/** Facts of one statement; null: the query did not parse (seen as an unknown write). */
export function ruleFacts(stmt: StatementAnalysis | null, ctx: FactsContext): RuleFacts {
  return new StatementFacts(stmt, ctx);
}
