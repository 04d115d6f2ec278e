// Walks one statement's AST and collects what routing needs: real tables, function calls, key
// candidates with their AND/OR structure, locking and other write markers. One walker per
// statement; it lives only for that analysis.
import type {
  DeleteStmt, FuncCall, InsertStmt, LockingClause, MergeStmt, Node, RangeVar, SelectStmt,
  UpdateStmt, WithClause,
} from 'libpg-query';
import type {
  InsertInfo, KeyCandidate, KeyExpr, KeyValue, LockStrength, TableName,
} from './types.js';
import type { ByteToChar } from './text-offsets.js';
import { ALL, and, or } from './key-expr.js';
import { findCte, newScope, type Scope } from './scope.js';
import { predicate, valueOf } from './predicates.js';

/** Functions whose call makes a SELECT a write (must run on the primary). */
const WRITE_FUNCTIONS: ReadonlySet<string> = new Set([
  'nextval', 'setval',
  'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock',
  'pg_try_advisory_xact_lock_shared', 'pg_advisory_unlock', 'pg_advisory_unlock_shared',
  'pg_advisory_unlock_all',
]);

const LOCK_STRENGTH: Readonly<Record<string, LockStrength>> = {
  LCS_FORKEYSHARE: 'key_share',
  LCS_FORSHARE: 'share',
  LCS_FORNOKEYUPDATE: 'no_key_update',
  LCS_FORUPDATE: 'update',
};
const LOCK_RANK: Readonly<Record<LockStrength, number>> = {
  key_share: 1, share: 2, no_key_update: 3, update: 4,
};

export class StatementWalker {
  readonly tables: TableName[] = [];
  readonly calls: string[] = [];
  readonly keys: KeyCandidate[] = [];
  readonly assigned: string[] = [];
  write = false;
  locking: LockStrength | null = null;
  into: TableName | null = null;
  private readonly tableIds = new Map<string, TableName>();
  private readonly callNames = new Set<string>();

  constructor(readonly text: string, readonly toChar: ByteToChar) {}

  /** SELECT / INSERT / UPDATE / DELETE / MERGE anywhere (CTE bodies, PREPARE, EXPLAIN). */
  statement(node: Node, parent: Scope | null): KeyExpr {
    if ('SelectStmt' in node) return this.select(node.SelectStmt, parent);
    if ('InsertStmt' in node) return this.insert(node.InsertStmt, parent).expr;
    if ('UpdateStmt' in node) return this.update(node.UpdateStmt, parent);
    if ('DeleteStmt' in node) return this.delete(node.DeleteStmt, parent);
    if ('MergeStmt' in node) return this.merge(node.MergeStmt, parent);
    this.any(node, parent);
    return ALL;
  }

  select(s: SelectStmt, parent: Scope | null): KeyExpr {
    const scope = newScope(parent);
    const dml = s.withClause ? this.withClause(s.withClause, scope) : [];
    let expr: KeyExpr;
    if (s.op !== undefined && s.op !== 'SETOP_NONE') {
      const l = s.larg ? this.select(s.larg, scope) : ALL;
      const r = s.rarg ? this.select(s.rarg, scope) : ALL;
      // UNION rows come from either side, INTERSECT rows from both, EXCEPT rows from the left.
      expr = s.op === 'SETOP_UNION' ? or([l, r]) : s.op === 'SETOP_INTERSECT' ? and([l, r]) : l;
    } else {
      const conj: KeyExpr[] = [];
      if (s.fromClause) for (const item of s.fromClause) this.fromItem(item, scope, true, conj);
      this.any(s.valuesLists, scope);
      if (s.whereClause) conj.push(predicate(this, s.whereClause, scope));
      this.any(s.targetList, scope);
      this.any(s.groupClause, scope);
      this.any(s.havingClause, scope);
      this.any(s.windowClause, scope);
      this.any(s.distinctClause, scope);
      expr = and(conj);
    }
    this.any(s.sortClause, scope);
    this.any(s.limitOffset, scope);
    this.any(s.limitCount, scope);
    if (s.lockingClause) this.lockingClauses(s.lockingClause);
    if (s.intoClause?.rel) {
      this.write = true;
      this.into = this.addTable(s.intoClause.rel);
    }
    return withDataModifyingCtes(expr, dml);
  }

  insert(s: InsertStmt, parent: Scope | null): { expr: KeyExpr; info: InsertInfo | null } {
    const scope = newScope(parent);
    const dml = s.withClause ? this.withClause(s.withClause, scope) : [];
    const table = s.relation ? this.target(s.relation, scope) : null;
    const columns = s.cols ? s.cols.map((c) => ('ResTarget' in c ? c.ResTarget.name ?? '' : '')) : null;
    let expr: KeyExpr = ALL;
    let rows = 0;
    let select = false;
    const sel = s.selectStmt && 'SelectStmt' in s.selectStmt ? s.selectStmt.SelectStmt : null;
    if (sel && isPlainValues(sel)) {
      const lists = sel.valuesLists!;
      rows = lists.length;
      expr = or(lists.map((list, r) => this.valuesRow(list, r, table, columns, scope)));
    } else if (sel) {
      select = true;
      this.select(sel, scope);
    }
    let onConflict: InsertInfo['onConflict'] = null;
    if (s.onConflictClause) {
      const c = s.onConflictClause;
      onConflict = c.action === 'ONCONFLICT_UPDATE' ? 'update' : 'nothing';
      this.assign(c.targetList);
      this.any(c, scope);
    }
    this.any(s.returningClause, scope);
    const info = table ? { table, columns, rows, select, onConflict } : null;
    return { expr: withDataModifyingCtes(expr, dml), info };
  }

  update(s: UpdateStmt, parent: Scope | null): KeyExpr {
    const scope = newScope(parent);
    const dml = s.withClause ? this.withClause(s.withClause, scope) : [];
    if (s.relation) this.target(s.relation, scope);
    const conj: KeyExpr[] = [];
    if (s.fromClause) for (const item of s.fromClause) this.fromItem(item, scope, true, conj);
    this.assign(s.targetList);
    this.any(s.targetList, scope);
    if (s.whereClause) conj.push(predicate(this, s.whereClause, scope));
    this.any(s.returningClause, scope);
    return withDataModifyingCtes(and(conj), dml);
  }

  delete(s: DeleteStmt, parent: Scope | null): KeyExpr {
    const scope = newScope(parent);
    const dml = s.withClause ? this.withClause(s.withClause, scope) : [];
    if (s.relation) this.target(s.relation, scope);
    const conj: KeyExpr[] = [];
    if (s.usingClause) for (const item of s.usingClause) this.fromItem(item, scope, true, conj);
    if (s.whereClause) conj.push(predicate(this, s.whereClause, scope));
    this.any(s.returningClause, scope);
    return withDataModifyingCtes(and(conj), dml);
  }

  /** MERGE touches rows chosen by a join; no key formula is derived from it. */
  merge(s: MergeStmt, parent: Scope | null): KeyExpr {
    const scope = newScope(parent);
    if (s.withClause) this.withClause(s.withClause, scope);
    this.write = true;
    if (s.relation) this.target(s.relation, scope);
    if (s.sourceRelation) this.fromItem(s.sourceRelation, scope, false, []);
    this.any(s.joinCondition, scope);
    for (const w of s.mergeWhenClauses ?? []) {
      if ('MergeWhenClause' in w) this.assign(w.MergeWhenClause.targetList);
    }
    this.any(s.mergeWhenClauses, scope);
    this.any(s.returningClause, scope);
    return ALL;
  }

  /** Generic descent for expressions and statements we do not model: collects tables, calls,
   *  nested statements and locking clauses, but derives no key restriction. */
  any(value: unknown, scope: Scope | null): void {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) this.any(v, scope);
      return;
    }
    const obj = value as Record<string, unknown>;
    for (const key in obj) {
      const v = obj[key];
      if (v === null || typeof v !== 'object') continue;
      switch (key) {
        case 'SelectStmt':
        case 'InsertStmt':
        case 'UpdateStmt':
        case 'DeleteStmt':
        case 'MergeStmt':
          this.statement({ [key]: v } as Node, scope);
          continue;
        case 'FuncCall':
          this.call(v as FuncCall);
          break;
        case 'lockingClause':
          this.lockingClauses(v as Node[]);
          continue;
      }
      this.any(v, scope);
    }
    // A RangeVar outside a FROM list (CREATE TABLE, ALTER TABLE, TRUNCATE, LOCK, VACUUM...),
    // recognized by content because many of those fields hold it unwrapped.
    if (typeof obj.relname === 'string' && typeof obj.relpersistence === 'string') {
      this.addTable(obj as RangeVar);
    }
  }

  addTable(rv: RangeVar): TableName {
    const schema = rv.schemaname ?? null;
    const name = rv.relname ?? '';
    const id = schema === null ? name : `${schema}\u0000${name}`;
    let t = this.tableIds.get(id);
    if (t === undefined) {
      t = { schema, name };
      this.tableIds.set(id, t);
      this.tables.push(t);
    }
    return t;
  }

  addTableByName(names: readonly string[]): void {
    if (names.length === 0) return;
    const name = names[names.length - 1]!;
    const schema = names.length > 1 ? names[names.length - 2]! : undefined;
    this.addTable(schema === undefined ? { relname: name } : { schemaname: schema, relname: name });
  }

  call(f: FuncCall): void {
    const parts: string[] = [];
    for (const n of f.funcname ?? []) if ('String' in n) parts.push(n.String.sval ?? '');
    if (parts.length === 0) return;
    const name = parts.join('.');
    if (!this.callNames.has(name)) {
      this.callNames.add(name);
      this.calls.push(name);
    }
    if (WRITE_FUNCTIONS.has(parts[parts.length - 1]!.toLowerCase())) this.write = true;
  }

  pushKey(table: TableName | null, column: string | null, value: KeyValue, cast: string | null,
    row: number | null, position: number | null): number {
    return this.keys.push({ table, column, value, cast, row, position }) - 1;
  }

  private withClause(w: WithClause, scope: Scope): KeyExpr[] {
    const ctes = new Map<string, KeyExpr>();
    scope.ctes = ctes;
    const dml: KeyExpr[] = [];
    const list = w.ctes ?? [];
    // A recursive CTE sees itself; a plain one only sees the CTEs before it, and its own name
    // inside its body means the real table of that name.
    if (w.recursive) {
      for (const n of list) if ('CommonTableExpr' in n) ctes.set(n.CommonTableExpr.ctename ?? '', ALL);
    }
    for (const n of list) {
      if (!('CommonTableExpr' in n)) continue;
      const cte = n.CommonTableExpr;
      const name = cte.ctename ?? '';
      const q = cte.ctequery;
      if (!q) continue;
      if ('SelectStmt' in q) {
        ctes.set(name, this.select(q.SelectStmt, scope));
      } else {
        // Data-modifying CTE: runs wherever its own keys say, whatever the main query reads;
        // its RETURNING rows are where the rows it changed are.
        this.write = true;
        const expr = this.statement(q, scope);
        dml.push(expr);
        ctes.set(name, expr);
      }
    }
    return dml;
  }

  /** One FROM-list item. `inner` is false on the nullable side of an outer join, where a
   *  restriction on the joined relation does not restrict the result rows. */
  private fromItem(node: Node, scope: Scope, inner: boolean, conj: KeyExpr[]): void {
    if ('RangeVar' in node) {
      const rv = node.RangeVar;
      const alias = rv.alias?.aliasname;
      const cte = rv.schemaname === undefined ? findCte(scope, rv.relname ?? '') : undefined;
      if (cte !== undefined) {
        if (inner) conj.push(cte);
        scope.items.push({ name: alias ?? rv.relname ?? '', table: null, aliased: alias !== undefined });
      } else {
        this.target(rv, scope);
      }
      return;
    }
    if ('JoinExpr' in node) {
      const j = node.JoinExpr;
      const jt = j.jointype ?? 'JOIN_INNER';
      const innerJoin = jt === 'JOIN_INNER';
      if (j.larg) this.fromItem(j.larg, scope, inner && (innerJoin || jt === 'JOIN_LEFT'), conj);
      if (j.rarg) this.fromItem(j.rarg, scope, inner && (innerJoin || jt === 'JOIN_RIGHT'), conj);
      if (j.quals) {
        if (inner && innerJoin) conj.push(predicate(this, j.quals, scope));
        else this.any(j.quals, scope);
      }
      if (j.alias?.aliasname) scope.items.push({ name: j.alias.aliasname, table: null, aliased: true });
      return;
    }
    if ('RangeSubselect' in node) {
      const r = node.RangeSubselect;
      const e = r.subquery && 'SelectStmt' in r.subquery ? this.select(r.subquery.SelectStmt, scope) : ALL;
      if (inner) conj.push(e);
      scope.items.push({ name: r.alias?.aliasname ?? '', table: null, aliased: true });
      return;
    }
    if ('RangeTableSample' in node && node.RangeTableSample.relation) {
      this.fromItem(node.RangeTableSample.relation, scope, inner, conj);
      this.any(node.RangeTableSample.args, scope);
      this.any(node.RangeTableSample.repeatable, scope);
      return;
    }
    // Functions, XMLTABLE, JSON_TABLE: rows come from an expression.
    this.any(node, scope);
    const alias = 'RangeFunction' in node ? node.RangeFunction.alias?.aliasname : undefined;
    scope.items.push({ name: alias ?? '', table: null, aliased: true });
  }

  /** A real table that rows come from or go to (FROM item, DML target). */
  private target(rv: RangeVar, scope: Scope): TableName {
    const table = this.addTable(rv);
    const alias = rv.alias?.aliasname;
    scope.items.push({ name: alias ?? table.name, table, aliased: alias !== undefined });
    return table;
  }

  /** One VALUES row of an INSERT: every constant is a key candidate for its column. */
  private valuesRow(list: Node, row: number, table: TableName | null, columns: string[] | null,
    scope: Scope): KeyExpr {
    const items = 'List' in list ? list.List.items ?? [] : [];
    const conj: KeyExpr[] = [];
    items.forEach((item, position) => {
      const v = valueOf(this, item);
      if (v === null) {
        this.any(item, scope);
        return;
      }
      const column = columns ? columns[position] ?? null : null;
      conj.push({ op: 'key', key: this.pushKey(table, column, v.value, v.cast, row, position) });
    });
    return and(conj);
  }

  private assign(targets: Node[] | undefined): void {
    for (const t of targets ?? []) {
      const name = 'ResTarget' in t ? t.ResTarget.name : undefined;
      if (name !== undefined && !this.assigned.includes(name)) this.assigned.push(name);
    }
  }

  private lockingClauses(list: Node[]): void {
    for (const n of list) {
      if (!('LockingClause' in n)) continue;
      const strength = LOCK_STRENGTH[(n.LockingClause as LockingClause).strength ?? ''];
      if (strength === undefined) continue;
      this.write = true;
      if (this.locking === null || LOCK_RANK[strength] > LOCK_RANK[this.locking]) this.locking = strength;
    }
  }
}

/** The statement must also reach the shards its data-modifying CTEs write to. */
function withDataModifyingCtes(expr: KeyExpr, dml: KeyExpr[]): KeyExpr {
  // A main query that only reads the CTE's rows has the CTE's own formula: no need to repeat it.
  return dml.length === 0 ? expr : or([expr, ...dml.filter((d) => d !== expr)]);
}

/** `INSERT ... VALUES (...), (...)` as opposed to `INSERT ... SELECT`. */
function isPlainValues(s: SelectStmt): boolean {
  return s.valuesLists !== undefined && s.fromClause === undefined && s.whereClause === undefined
    && (s.op === undefined || s.op === 'SETOP_NONE') && s.sortClause === undefined
    && s.limitCount === undefined && s.limitOffset === undefined && s.withClause === undefined;
}
