// Constructs whose per-shard results cannot be merged into the single-database answer. Each
// check returns the feature's name for the refusal, or null.
import { isAggregateCall } from './aggregate-calls.js';
import { functionName, walkLevel, type AnyNode } from './parse-nodes.js';

/** Checks of the outermost SELECT that do not depend on the select list. */
export function topLevelRefusal(s: AnyNode): string | null {
  if (s['op'] !== undefined && s['op'] !== 'SETOP_NONE') return setOperationName(s);
  if (s['valuesLists'] !== undefined) return 'VALUES';
  if (s['intoClause'] !== undefined) return 'SELECT INTO';
  if (s['windowClause'] !== undefined) return 'WINDOW clause';
  if (s['limitOption'] === 'LIMIT_OPTION_WITH_TIES') return 'FETCH ... WITH TIES';
  const distinct = s['distinctClause'] as AnyNode[] | undefined;
  if (distinct !== undefined && distinct.some((d) => Object.keys(d).length > 0)) return 'DISTINCT ON';
  for (const g of (s['groupClause'] as AnyNode[] | undefined) ?? []) {
    if ('GroupingSet' in g) return 'GROUPING SETS / ROLLUP / CUBE';
  }
  for (const sb of (s['sortClause'] as AnyNode[] | undefined) ?? []) {
    const sort = sb['SortBy'] as AnyNode;
    if (sort['sortby_dir'] === 'SORTBY_USING') return 'ORDER BY ... USING';
    const collate = (sort['node'] as AnyNode)['CollateClause'] as AnyNode | undefined;
    if (collate !== undefined) {
      const name = functionName({ funcname: collate['collname'] }).name;
      if (name !== 'C' && name !== 'POSIX') return `ORDER BY ... COLLATE "${name}"`;
    }
  }
  let found: string | null = null;
  walkLevel(
    { t: s['targetList'], w: s['whereClause'], h: s['havingClause'], o: s['sortClause'], g: s['groupClause'], f: s['fromClause'] },
    (name, body) => {
      if (found !== null) return;
      if (name === 'FuncCall' && body['over'] !== undefined) found = `window function ${functionName(body).name}()`;
      else if (name === 'GroupingFunc') found = 'GROUPING()';
    },
    () => undefined,
  );
  return found;
}

/**
 * Subqueries, sublinks and CTE bodies run on each shard against that shard's rows: anything in
 * them that reduces or ranks rows (aggregates, GROUP BY, DISTINCT, LIMIT, windows, set operations
 * other than UNION ALL) would answer per shard, not for the whole table.
 */
export function nestedRefusal(s: AnyNode): string | null {
  let found: string | null = null;
  const visitNested = (body: AnyNode): void => {
    if (found === null) found = nestedSelectRefusal(body);
  };
  walkLevel({ ...s, larg: undefined, rarg: undefined }, () => undefined, visitNested);
  return found;
}

function nestedSelectRefusal(body: AnyNode): string | null {
  const op = body['op'];
  if (op !== undefined && op !== 'SETOP_NONE') {
    if (!(op === 'SETOP_UNION' && body['all'] === true)) return `${setOperationName(body)} in a subquery`;
    for (const side of ['larg', 'rarg']) {
      const r = nestedSelectRefusal(body[side] as AnyNode);
      if (r !== null) return r;
    }
    return null;
  }
  if (body['groupClause'] !== undefined || body['havingClause'] !== undefined) return 'GROUP BY in a subquery';
  if (body['distinctClause'] !== undefined) return 'DISTINCT in a subquery';
  if (body['limitCount'] !== undefined || body['limitOffset'] !== undefined) return 'LIMIT / OFFSET in a subquery';
  if (body['windowClause'] !== undefined) return 'window function in a subquery';
  let found: string | null = null;
  walkLevel(
    body,
    (name, node) => {
      if (found !== null || name !== 'FuncCall') return;
      if (node['over'] !== undefined) found = `window function ${functionName(node).name}() in a subquery`;
      else if (isAggregateCall(node)) found = `aggregate ${functionName(node).name}() in a subquery`;
    },
    (inner) => {
      if (found === null) found = nestedSelectRefusal(inner);
    },
  );
  return found;
}

function setOperationName(s: AnyNode): string {
  const word = String(s['op']).replace('SETOP_', '');
  return s['all'] === true ? `${word} ALL` : word;
}

/** True when an aggregate call occurs in `node` at this query level. */
export function containsAggregate(node: unknown): boolean {
  let found = false;
  walkLevel(node, (name, body) => {
    if (name === 'FuncCall' && isAggregateCall(body)) found = true;
  }, () => undefined);
  return found;
}
