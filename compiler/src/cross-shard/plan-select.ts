// Plans a SELECT that runs on several shards: the statement each shard runs and how the merger
// turns the shards' rows into the rows one database would have returned. The shard statement is
// the client's text with splices at token positions (hidden columns appended to the select list,
// HAVING and LIMIT/OFFSET replaced); everything else is sent as written.
import { parseSql } from '../sql/parser.js';
import { byteToCharConverter } from '../sql/text-offsets.js';
import { havingExpr } from './having-clause.js';
import { limitValue, shardLimitClause } from './limit-clause.js';
import { bareColumnName, type AnyNode } from './parse-nodes.js';
import { PlanBuilder, readTargets, Refusal } from './plan-builder.js';
import type { AggregatePlan, ColumnPos, LimitValue, CrossShardOptions, CrossShardOutcome, CrossShardPlan, HavingExpr, SortKey } from './plan-types.js';
import { containsAggregate, nestedRefusal, topLevelRefusal } from './statement-checks.js';
import { splitItems, statementTokens, tokenText, topLevelClauses, type Clause, type Token } from './statement-tokens.js';

interface Edit { start: number; end: number; text: string }

/** The parser must be loaded (`await loadSqlParser()`). `sql` holds one SELECT statement. */
export function planCrossShardSelect(sql: string, options: CrossShardOptions = {}): CrossShardOutcome {
  try {
    return { ok: true, plan: plan(sql, options) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, refusal: { feature: err.feature, message: err.message } };
    throw err;
  }
}

function plan(sql: string, options: CrossShardOptions): CrossShardPlan {
  const parsed = parseSql(sql);
  if (!parsed.ok) throw new Refusal('syntax', parsed.error.message);
  if (parsed.statements.length !== 1) throw new Refusal('several statements', 'a cross-shard query must be a single statement');
  const root = parsed.statements[0]!.node as AnyNode;
  const s = root['SelectStmt'] as AnyNode | undefined;
  if (s === undefined) throw new Refusal(Object.keys(root)[0] ?? 'statement', 'only SELECT can be merged across shards');
  const top = topLevelRefusal(s);
  if (top !== null) throw new Refusal(top);
  if (options.allowNestedReductions !== true) {
    const nested = nestedRefusal(s);
    if (nested !== null) throw new Refusal(nested);
  }

  const tokens = statementTokens(sql);
  const clauses = topLevelClauses(tokens);
  const clause = (name: Clause['name']): Clause | undefined => clauses.find((c) => c.name === name);
  const select = clause('select');
  if (select === undefined) throw new Refusal('select list', 'could not locate the select list in the query text');
  let listStart = select.first + 1;
  if (tokens[listStart]?.keyword === 'distinct' || tokens[listStart]?.keyword === 'all') listStart++;
  const targetNodes = (s['targetList'] as AnyNode[] | undefined) ?? [];
  const b = new PlanBuilder(sql, tokens, readTargets(sql, tokens, targetNodes, splitItems(tokens, listStart, select.end)));
  const toChar = byteToCharConverter(sql);

  const groupNodes = (s['groupClause'] as AnyNode[] | undefined) ?? [];
  const sortNodes = ((s['sortClause'] as AnyNode[] | undefined) ?? []).map((n) => n['SortBy'] as AnyNode);
  const having = s['havingClause'] as AnyNode | undefined;
  const aggregateQuery = groupNodes.length > 0 || having !== undefined || b.targets.some((t) => t.aggregate !== null) ||
    sortNodes.some((n) => containsAggregate(n['node']));

  for (const [i, t] of b.targets.entries()) {
    if (t.aggregate === null && !t.star && containsAggregate(t.node['val'])) {
      throw new Refusal('aggregate inside an expression', `aggregate inside an expression (${t.text}) is not supported in a query that spans several shards; select the aggregate itself`);
    }
    if (t.aggregate !== null) {
      const pos = b.targetPos(i) ?? b.hiddenPos(t.text);
      b.addAggregate(t.aggregate, pos, t.text);
    }
  }

  let aggregate: AggregatePlan | null = null;
  if (aggregateQuery) {
    const group = clause('group');
    const groupBy: ColumnPos[] = [];
    if (groupNodes.length > 0) {
      if (group === undefined) throw new Refusal('GROUP BY', 'could not locate GROUP BY in the query text');
      let first = group.first + 2;
      if (tokens[first]?.keyword === 'all' || tokens[first]?.keyword === 'distinct') first++;
      const items = splitItems(tokens, first, group.end);
      if (items.length !== groupNodes.length) throw new Refusal('GROUP BY', 'could not locate GROUP BY in the query text');
      groupNodes.forEach((g, k) => groupBy.push(groupColumn(b, g, tokenText(sql, tokens, items[k]!.first, items[k]!.end))));
    }
    let havingTree: HavingExpr | null = null;
    if (having !== undefined) havingTree = havingExpr(having, b, toChar);
    aggregate = { groupBy, aggregates: b.aggregates, having: havingTree };
  }

  const orderBy = sortKeys(b, sortNodes, clause('order'), aggregateQuery);
  const limitParse = limitValue(s['limitCount'] as AnyNode | undefined, 'LIMIT');
  if (!limitParse.ok) throw new Refusal(limitParse.feature);
  const offsetParse = limitValue(s['limitOffset'] as AnyNode | undefined, 'OFFSET');
  if (!offsetParse.ok) throw new Refusal(offsetParse.feature);
  const distinct = s['distinctClause'] !== undefined;

  const edits: Edit[] = [];
  if (b.hidden.length > 0) {
    const hasList = b.targets.length > 0;
    const at = hasList ? tokens[select.end - 1]!.end : tokens[listStart - 1]!.end;
    edits.push({ start: at, end: at, text: (hasList ? ', ' : ' ') + b.hidden.join(', ') });
  }
  const havingClause = clause('having');
  if (havingClause !== undefined) {
    // Every group must reach the merger, but the clause stays so that its parameters keep their
    // numbers and inferred types for the client's Bind: `HAVING (...) OR TRUE` keeps all groups.
    const open = tokens[havingClause.first]!.end;
    const close = tokens[havingClause.end - 1]!.end;
    edits.push({ start: close, end: close, text: ') OR TRUE' }, { start: open, end: open, text: ' (' });
  }
  const limitClauses = clauses.filter((c) => c.name === 'limit' || c.name === 'offset' || c.name === 'fetch');
  for (const c of limitClauses) edits.push(deleteClause(tokens, c));
  const pushdown = aggregateQuery
    ? keepParamsClause(limitParse.value, offsetParse.value)
    : shardLimitClause(limitParse.value, offsetParse.value);
  if (pushdown !== '') {
    const at = limitClauses.length > 0 ? tokens[limitClauses[0]!.first]!.start : endOfStatement(tokens, clauses);
    edits.push({ start: at, end: at, text: limitClauses.length > 0 ? `${pushdown} ` : ` ${pushdown}` });
  }

  return {
    shardSql: applyEdits(sql, edits),
    hiddenColumns: b.hidden.length,
    orderBy,
    limit: limitParse.value,
    offset: offsetParse.value,
    distinct,
    aggregate,
    streaming: !aggregateQuery && !distinct,
  };
}

/** Aggregate queries send no LIMIT to the shards; a parameter LIMIT / OFFSET stays referenced in
 *  a clause that is always NULL (no limit). */
function keepParamsClause(limit: LimitValue | null, offset: LimitValue | null): string {
  const params = [limit, offset].filter((v) => v?.kind === 'param').map((v) => ` + $${(v as { index: number }).index}::bigint`);
  return params.length === 0 ? '' : `LIMIT (NULL::bigint${params.join('')})`;
}

function groupColumn(b: PlanBuilder, node: AnyNode, text: string): ColumnPos {
  const position = integerConstant(node);
  if (position !== null) return { kind: 'start', index: position - 1 };
  const same = b.findTarget(node);
  if (same >= 0) return b.targetPos(same) ?? b.hiddenPos(text);
  // A bare name that is not an input column can only mean an output column; PostgreSQL prefers
  // the input column, which is the same expression whenever both exist and the query is valid.
  const name = bareColumnName(node);
  if (name !== null) {
    const i = b.findOutputName(name);
    if (i >= 0 && b.targets[i]!.aggregate === null) return b.targetPos(i) ?? b.hiddenPos(b.targets[i]!.text);
  }
  if (containsAggregate(node)) throw new Refusal('aggregate in GROUP BY');
  return b.hiddenPos(text);
}

function sortKeys(b: PlanBuilder, sorts: readonly AnyNode[], order: Clause | undefined, aggregateQuery: boolean): SortKey[] {
  if (sorts.length === 0) return [];
  if (order === undefined) throw new Refusal('ORDER BY', 'could not locate ORDER BY in the query text');
  const items = splitItems(b.tokens, order.first + 2, order.end);
  if (items.length !== sorts.length) throw new Refusal('ORDER BY', 'could not locate ORDER BY in the query text');
  return sorts.map((sort, k) => {
    let { first, end } = items[k]!;
    // Trailing ASC / DESC / NULLS FIRST|LAST are not part of the expression.
    while (end > first && ['asc', 'desc', 'nulls', 'first', 'last'].includes(b.tokens[end - 1]!.keyword)) end--;
    const text = tokenText(b.sql, b.tokens, first, end);
    const node = sort['node'] as AnyNode;
    const descending = sort['sortby_dir'] === 'SORTBY_DESC';
    const nulls = sort['sortby_nulls'];
    return {
      column: sortColumn(b, node, text, aggregateQuery),
      descending,
      nullsFirst: nulls === 'SORTBY_NULLS_FIRST' ? true : nulls === 'SORTBY_NULLS_LAST' ? false : descending,
    };
  });
}

function sortColumn(b: PlanBuilder, node: AnyNode, text: string, aggregateQuery: boolean): ColumnPos {
  const position = integerConstant(node);
  if (position !== null) return { kind: 'start', index: position - 1 };
  const name = bareColumnName(node);
  const byName = name === null ? -1 : b.findOutputName(name);
  const i = byName >= 0 ? byName : b.findTarget(node);
  if (i >= 0) return b.targetPos(i) ?? b.hiddenPos(b.targets[i]!.text);
  if (aggregateQuery) {
    const call = node['FuncCall'] as AnyNode | undefined;
    if (call === undefined && containsAggregate(node)) {
      throw new Refusal('ORDER BY on an expression of aggregates', `ORDER BY ${text} is not supported in a query that spans several shards; select the aggregate and order by it`);
    }
    return b.aggregateQueryColumn(node, text);
  }
  return b.hiddenPos(text);
}

function integerConstant(node: AnyNode): number | null {
  const c = node['A_Const'] as AnyNode | undefined;
  if (c === undefined || c['ival'] === undefined) return null;
  return Number((c['ival'] as AnyNode)['ival'] ?? 0);
}

function deleteClause(tokens: readonly Token[], c: Clause): Edit {
  return { start: tokens[c.first]!.start, end: tokens[c.end - 1]!.end, text: '' };
}

function endOfStatement(tokens: readonly Token[], clauses: readonly Clause[]): number {
  const last = clauses[clauses.length - 1]!;
  return tokens[last.end - 1]!.end;
}

function applyEdits(sql: string, edits: Edit[]): string {
  edits.sort((x, y) => y.start - x.start || y.end - x.end);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
