// Name resolution for column references: which real table does `id`, `a.id` or `s.t.id` belong
// to? One scope per SELECT / DML level, chained to the enclosing one for correlated subqueries.
import type { KeyExpr, TableName } from './types.js';

export interface ScopeItem {
  /** Name the query uses for it: the alias, else the relation name. */
  name: string;
  /** The real table, or null for subqueries, CTE references, functions and join aliases. */
  table: TableName | null;
  aliased: boolean;
}

export interface Scope {
  items: ScopeItem[];
  /** CTEs defined at this level, with the key formula of their body (`all` while unknown). */
  ctes: Map<string, KeyExpr> | null;
  parent: Scope | null;
}

export function newScope(parent: Scope | null): Scope {
  return { items: [], ctes: null, parent };
}

export function findCte(scope: Scope | null, name: string): KeyExpr | undefined {
  for (let s = scope; s; s = s.parent) {
    const e = s.ctes?.get(name);
    if (e !== undefined) return e;
  }
  return undefined;
}

/**
 * Resolves the qualifier part of a column reference (`fields` without the column name) to a
 * real table. Unqualified: the innermost level that has FROM items decides, and only when it
 * has exactly one (otherwise the column is ambiguous without the schema). Qualified: the first
 * level, innermost out, that has an item by that name.
 */
export function resolveQualifier(scope: Scope | null, qualifier: readonly string[]): TableName | null {
  if (qualifier.length === 0) {
    for (let s = scope; s; s = s.parent) {
      if (s.items.length === 0) continue;
      return s.items.length === 1 ? s.items[0]!.table : null;
    }
    return null;
  }
  if (qualifier.length === 1) {
    const name = qualifier[0]!;
    for (let s = scope; s; s = s.parent) {
      let found: ScopeItem | null = null;
      let count = 0;
      for (const item of s.items) {
        if (item.name === name) {
          found = item;
          count++;
        }
      }
      if (count > 0) return count === 1 ? found!.table : null;
    }
    return null;
  }
  // schema.table (a leading catalog name is ignored). Only unaliased items are reachable by
  // their real name.
  const schema = qualifier[qualifier.length - 2]!;
  const name = qualifier[qualifier.length - 1]!;
  for (let s = scope; s; s = s.parent) {
    for (const item of s.items) {
      const t = item.table;
      if (!item.aliased && t && t.name === name && (t.schema === null || t.schema === schema)) return t;
    }
  }
  return null;
}
