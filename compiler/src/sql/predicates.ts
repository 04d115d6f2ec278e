// Sharding keys in WHERE / ON clauses: `col = v`, `v = col`, `col IS NOT DISTINCT FROM v`,
// `col IN (v, ...)`, `col = ANY($1)`, `col = ANY(ARRAY[v, ...])`, combined with AND / OR, and
// EXISTS / IN subqueries. Anything else restricts nothing (`all`).
import type { A_Expr, Node } from 'libpg-query';
import type { KeyExpr, KeyValue, TableName } from './types.js';
import { ALL, and, keyRef, or } from './key-expr.js';
import { constValue, literalOffset, typeNameText } from './literal-values.js';
import { resolveQualifier, type Scope } from './scope.js';
import type { StatementWalker } from './statement-walker.js';

export interface ValueWithCast {
  value: KeyValue;
  cast: string | null;
}

/** Key formula of a boolean expression in a position where it filters result rows. */
export function predicate(w: StatementWalker, node: Node, scope: Scope): KeyExpr {
  if ('BoolExpr' in node) {
    const b = node.BoolExpr;
    const args = b.args ?? [];
    if (b.boolop === 'AND_EXPR') return and(args.map((a) => predicate(w, a, scope)));
    if (b.boolop === 'OR_EXPR') return or(args.map((a) => predicate(w, a, scope)));
    w.any(args, scope); // NOT: a negated key says nothing about where rows are.
    return ALL;
  }
  if ('A_Expr' in node) return comparison(w, node.A_Expr, scope);
  if ('SubLink' in node) {
    // Per-shard execution: EXISTS (...) / x IN (SELECT ...) is false on a shard where the
    // subquery finds nothing, so the subquery's keys restrict the outer rows too.
    const l = node.SubLink;
    w.any(l.testexpr, scope);
    const inner = l.subselect && 'SelectStmt' in l.subselect ? w.select(l.subselect.SelectStmt, scope) : ALL;
    return l.subLinkType === 'EXISTS_SUBLINK' || l.subLinkType === 'ANY_SUBLINK' ? inner : ALL;
  }
  w.any(node, scope);
  return ALL;
}

function comparison(w: StatementWalker, e: A_Expr, scope: Scope): KeyExpr {
  if (operatorName(e) === '=' && e.lexpr && e.rexpr) {
    let k: KeyExpr | null = null;
    switch (e.kind) {
      case 'AEXPR_OP':
      case 'AEXPR_NOT_DISTINCT':
        k = equality(w, e.lexpr, e.rexpr, scope) ?? equality(w, e.rexpr, e.lexpr, scope);
        break;
      case 'AEXPR_IN':
        if ('List' in e.rexpr) k = inList(w, e.lexpr, e.rexpr.List.items ?? [], scope);
        break;
      case 'AEXPR_OP_ANY':
        k = anyArray(w, e.lexpr, e.rexpr, scope);
        break;
    }
    if (k !== null) return k;
  }
  w.any(e.lexpr, scope);
  w.any(e.rexpr, scope);
  return ALL;
}

function operatorName(e: A_Expr): string | null {
  const names = e.name;
  if (!names || names.length === 0) return null;
  const last = names[names.length - 1]!;
  return 'String' in last ? last.String.sval ?? null : null;
}

function equality(w: StatementWalker, colNode: Node, valNode: Node, scope: Scope): KeyExpr | null {
  const col = columnOf(colNode, scope);
  if (col === null) return null;
  const v = valueOf(w, valNode);
  if (v === null) return null;
  return keyRef(w.pushKey(col.table, col.column, v.value, v.cast, null, null));
}

/** One candidate per list element; NULL elements can never match and are skipped. */
function inList(w: StatementWalker, colNode: Node, items: Node[], scope: Scope): KeyExpr | null {
  const col = columnOf(colNode, scope);
  if (col === null) return null;
  const values: ValueWithCast[] = [];
  for (const item of items) {
    if ('A_Const' in item && item.A_Const.isnull) continue;
    const v = valueOf(w, item);
    if (v === null) return null;
    values.push(v);
  }
  if (values.length === 0) return null;
  return or(values.map((v) => keyRef(w.pushKey(col.table, col.column, v.value, v.cast, null, null))));
}

function anyArray(w: StatementWalker, colNode: Node, arrNode: Node, scope: Scope): KeyExpr | null {
  const col = columnOf(colNode, scope);
  if (col === null) return null;
  let node = arrNode;
  let cast: string | null = null;
  if ('TypeCast' in node && node.TypeCast.arg) {
    cast = typeNameText(node.TypeCast.typeName);
    node = node.TypeCast.arg;
  }
  if ('ParamRef' in node && node.ParamRef.number) {
    const value: KeyValue = { kind: 'param_array', index: node.ParamRef.number };
    return keyRef(w.pushKey(col.table, col.column, value, cast, null, null));
  }
  if ('A_ArrayExpr' in node) return inList(w, colNode, node.A_ArrayExpr.elements ?? [], scope);
  return null;
}

interface ColumnOf {
  table: TableName | null;
  column: string;
}

function columnOf(node: Node, scope: Scope): ColumnOf | null {
  if (!('ColumnRef' in node)) return null;
  const names: string[] = [];
  for (const f of node.ColumnRef.fields ?? []) {
    if (!('String' in f)) return null; // t.* is not a column
    names.push(f.String.sval ?? '');
  }
  if (names.length === 0) return null;
  const column = names.pop()!;
  return { table: resolveQualifier(scope, names), column };
}

/** A constant, a bind parameter, or either under casts. */
export function valueOf(w: StatementWalker, node: Node): ValueWithCast | null {
  if ('A_Const' in node) {
    const c = node.A_Const;
    const loc = c.location ?? -1;
    if (loc < 0) return null; // synthesized by the grammar: no token to point at
    const value = constValue(c, literalOffset(w.text, w.toChar(loc)));
    return value === null ? null : { value, cast: null };
  }
  if ('ParamRef' in node) {
    const index = node.ParamRef.number;
    return index ? { value: { kind: 'param', index }, cast: null } : null;
  }
  if ('TypeCast' in node && node.TypeCast.arg) {
    const inner = valueOf(w, node.TypeCast.arg);
    return inner === null ? null : { value: inner.value, cast: typeNameText(node.TypeCast.typeName) };
  }
  return null;
}
