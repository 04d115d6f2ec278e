// Generic looks at libpg-query nodes: structural equality (locations ignored), function names,
// output column names, and a walk that stays within one query level.

/** A node as plain JSON: `{ NodeName: { ...fields } }`. */
export type AnyNode = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Same tree apart from source locations (ORDER BY a+1 and SELECT a+1 are one expression). */
export function sameExpression(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameExpression(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b) || Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => k !== 'location');
  const kb = Object.keys(b).filter((k) => k !== 'location');
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!sameExpression(a[k], b[k])) return false;
  return true;
}

/** `count`, `pg_catalog.sum` -> the last name part, lower case as PostgreSQL stores it. */
export function functionName(call: AnyNode): { name: string; schema: string | null } {
  const parts = (call['funcname'] as AnyNode[] | undefined ?? []).map((p) => String((p['String'] as AnyNode | undefined)?.['sval'] ?? ''));
  return { name: parts[parts.length - 1] ?? '', schema: parts.length > 1 ? parts[parts.length - 2]! : null };
}

/** The output column name PostgreSQL would give an unaliased target (FigureColname, common cases). */
export function outputName(target: AnyNode): string | null {
  if (typeof target['name'] === 'string') return target['name'];
  let val = target['val'] as AnyNode | undefined;
  while (val !== undefined) {
    if ('ColumnRef' in val) {
      const fields = (val['ColumnRef'] as AnyNode)['fields'] as AnyNode[];
      const last = fields[fields.length - 1]!;
      return 'String' in last ? String((last['String'] as AnyNode)['sval']) : null;
    }
    if ('FuncCall' in val) return functionName(val['FuncCall'] as AnyNode).name;
    if ('TypeCast' in val) {
      val = (val['TypeCast'] as AnyNode)['arg'] as AnyNode | undefined;
      continue;
    }
    return null;
  }
  return null;
}

/** A bare one-part column reference: its name; otherwise null. */
export function bareColumnName(node: AnyNode): string | null {
  const ref = node['ColumnRef'] as AnyNode | undefined;
  if (ref === undefined) return null;
  const fields = ref['fields'] as AnyNode[];
  if (fields.length !== 1 || !('String' in fields[0]!)) return null;
  return String((fields[0]!['String'] as AnyNode)['sval']);
}

export function isStar(target: AnyNode): boolean {
  const ref = (target['val'] as AnyNode | undefined)?.['ColumnRef'] as AnyNode | undefined;
  if (ref === undefined) return false;
  const fields = ref['fields'] as AnyNode[];
  return fields.length > 0 && 'A_Star' in fields[fields.length - 1]!;
}

/**
 * Calls `visit` on every node object under `root` (root included). Nested SELECTs (subqueries,
 * sublinks, CTE bodies) are passed to `nested` instead of being entered.
 */
export function walkLevel(root: unknown, visit: (name: string, body: AnyNode) => void, nested: (select: AnyNode) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (!isObject(v)) continue;
    for (const [k, child] of Object.entries(v)) {
      if (k === 'SelectStmt' && isObject(child)) {
        nested(child);
        continue;
      }
      if (/^[A-Z]/.test(k) && isObject(child) && !Array.isArray(child)) visit(k, child);
      stack.push(child);
    }
  }
}
