// What route() can know about a statement without its literal values: how its tables are
// configured, which sharded column each key candidate compares, and (when no rule reads the
// query text) which rules apply. Worked out lazily, once per statement shape and prepared
// database.
//
// Analyses served by the plan cache share their frozen parts (tables, calls, keyExpr, the key
// candidates' tables...) with every other analysis of the same query shape; only literal values
// differ. A shape is therefore found by the identity of the frozen `tables` array and confirmed
// by comparing the identity of everything the cached facts depend on, so a hit is exact, not a
// guess. Analyses built any other way (not frozen) get a shape of their own that lives for one
// route() call. A new routing table makes new PreparedDatabase objects, and with them new shapes.

import { planCrossShardSelect } from '../cross-shard/plan-select.js';
import type { CrossShardRefusal } from '../cross-shard/plan-types.js';
import type { RuleMatch } from '../rules/match.js';
import { matchBlockRule, matchRouteRule } from '../rules/match.js';
import type { KeyCandidate, KeyExpr, StatementAnalysis, TableName } from '../sql/types.js';
import type { PreparedDatabase } from './prepared-table.js';
import { ruleFacts, tableNamesOf } from './rule-facts.js';
import { classifyTable, resolveKey, tableLabel, type ResolvedKey, type TableClass } from './table-lookup.js';

/** A sharded column a key candidate compares, with its label for reasons (`orders`,
 *  `billing.tenants`, or the config entry's name for a column-only entry). */
export interface KeyTarget extends ResolvedKey {
  label: string | null;
}

export interface RuleOutcome {
  block: RuleMatch | null;
  route: RuleMatch | null;
}

/** Shapes kept per frozen `tables` array: one per database that routes the shape. */
const MAX_SHAPES_PER_KEY = 4;
const shapes = new WeakMap<readonly TableName[], StatementShape[]>();

export class StatementShape {
  private classList: TableClass[] | undefined = undefined;
  private names: readonly string[] | undefined = undefined;
  private readonly targets: (KeyTarget | null | undefined)[] = [];
  /** resolveKey per (table, column) while the targets are first filled: a multi-row INSERT asks
   *  the same question for every row. */
  private memoTable: TableName | null | undefined = undefined;
  private memo: Map<string, KeyTarget | null> | undefined = undefined;
  // The rule outcome for the last (user, application_name, in_transaction) seen.
  private ruleUser: string | undefined = undefined;
  private ruleApplication = '';
  private ruleInTransaction = false;
  private ruleOutcome: RuleOutcome | undefined = undefined;

  // Plain copies of frozen parts read on every call: V8 reads frozen arrays several times slower.
  private readonly keyTables: (TableName | null)[] = [];
  private readonly keyColumns: (string | null)[] = [];
  private formula: KeyExpr | undefined = undefined;
  private refusal: CrossShardRefusal | null | undefined = undefined;

  constructor(readonly db: PreparedDatabase, private readonly stmt: StatementAnalysis) {
    for (const k of stmt.keys) {
      this.keyTables.push(k.table);
      this.keyColumns.push(k.column);
    }
  }

  /** Whether `s` has this shape: the same frozen parts, so only literal values can differ. */
  matches(s: StatementAnalysis): boolean {
    const t = this.stmt;
    if (s === t) return true;
    if (s.tables !== t.tables || s.kind !== t.kind || s.write !== t.write || s.locking !== t.locking
      || s.calls !== t.calls || s.keyExpr !== t.keyExpr || s.insert !== t.insert || s.copy !== t.copy
      || s.transaction !== t.transaction || s.set !== t.set) {
      return false;
    }
    const keys = s.keys;
    const tables = this.keyTables;
    const columns = this.keyColumns;
    if (keys.length !== tables.length) return false;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k.table !== tables[i] || k.column !== columns[i]) return false;
    }
    return true;
  }

  /** The statement's key formula as plain objects (see `plainKeyExpr`). */
  keyFormula(): KeyExpr {
    return (this.formula ??= plainKeyExpr(this.stmt.keyExpr));
  }

  /**
   * Why the cross-shard merger cannot combine this SELECT's per-shard results, or null. The
   * planner looks at the statement's structure, which the literal values of one shape share, so
   * it parses the text once per shape.
   */
  crossShardRefusal(sql: string): CrossShardRefusal | null {
    if (this.refusal === undefined) {
      const o = planCrossShardSelect(sql);
      this.refusal = o.ok ? null : o.refusal;
    }
    return this.refusal;
  }

  /** The statement's tables as route objects list them (`schema.name` when qualified). */
  tableNames(): readonly string[] {
    return (this.names ??= tableNamesOf(this.stmt.tables));
  }

  /** classifyTable of each of the statement's tables. */
  classes(): readonly TableClass[] {
    return (this.classList ??= this.stmt.tables.map((t) => classifyTable(this.db, t)));
  }

  /** The sharded column key candidate `i` compares, or null. */
  target(i: number): KeyTarget | null {
    let r = this.targets[i];
    if (r === undefined) {
      r = this.resolve(this.stmt.keys[i]);
      this.targets[i] = r;
    }
    return r;
  }

  private resolve(c: KeyCandidate): KeyTarget | null {
    if (c.table !== this.memoTable || c.column === null || this.memo === undefined) {
      this.memoTable = c.table;
      this.memo = new Map();
    }
    const column = c.column ?? '';
    let r = this.memo.get(column);
    if (r === undefined) {
      r = keyTarget(resolveKey(this.db, this.stmt, c));
      this.memo.set(column, r);
    }
    return r;
  }

  /**
   * The first block rule and the first routing rule that match, for a database whose rules
   * do not read the query text or fingerprint (see `rulesReadText`): the facts rules see are
   * then this shape's plus the session's user, application_name and transaction state, so the
   * last answer is kept for those.
   */
  rules(stmt: StatementAnalysis, input: { user: string; database: string; query: string }, applicationName: string, inTransaction: boolean): RuleOutcome {
    const user = input.user;
    if (this.ruleOutcome !== undefined && this.ruleUser === user && this.ruleApplication === applicationName && this.ruleInTransaction === inTransaction) {
      return this.ruleOutcome;
    }
    const facts = ruleFacts(stmt, { user, database: input.database, applicationName, query: input.query, inTransaction });
    const db = this.db;
    const outcome: RuleOutcome = {
      block: db.blockRules.length > 0 ? matchBlockRule(db.blockRules, facts) : null,
      route: db.routeRules.length > 0 ? matchRouteRule(db.routeRules, facts) : null,
    };
    this.ruleUser = user;
    this.ruleApplication = applicationName;
    this.ruleInTransaction = inTransaction;
    this.ruleOutcome = outcome;
    return outcome;
  }
}

export function keyTarget(k: ResolvedKey | null): KeyTarget | null {
  return k === null ? null : { entry: k.entry, table: k.table, label: k.table !== null ? tableLabel(k.table) : k.entry.name };
}

/** A copy of a key formula in unfrozen objects and arrays, evaluated for every cached statement. */
function plainKeyExpr(e: KeyExpr): KeyExpr {
  switch (e.op) {
    case 'all':
      return { op: 'all' };
    case 'key':
      return { op: 'key', key: e.key };
    case 'and':
    case 'or': {
      const args: KeyExpr[] = [];
      for (let i = 0; i < e.args.length; i++) args.push(plainKeyExpr(e.args[i]));
      return { op: e.op, args };
    }
  }
}

/** The shape of `stmt` in `db`: shared with earlier statements of the same shape when the
 *  statement comes from the plan cache, else a fresh one. */
export function statementShape(db: PreparedDatabase, stmt: StatementAnalysis): StatementShape {
  const tables = stmt.tables;
  // A SET re-bound from the cache has a fresh `set` object each time: never the same shape.
  if (stmt.set !== null || !Object.isFrozen(tables)) return new StatementShape(db, stmt);
  let list = shapes.get(tables);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      if (s.db === db && s.matches(stmt)) return s;
    }
  }
  const shape = new StatementShape(db, stmt);
  if (list === undefined) shapes.set(tables, [shape]);
  else {
    if (list.length >= MAX_SHAPES_PER_KEY) list.shift();
    list.push(shape);
  }
  return shape;
}
