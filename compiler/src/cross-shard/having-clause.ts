// HAVING is evaluated by the merger after the groups are combined: a group that fails it on one
// shard can pass once its partials are added up. The clause becomes a small boolean tree over
// columns (select-list entries or hidden ones), literals and Bind parameters.
import type { ByteToChar } from '../sql/text-offsets.js';
import { PlanBuilder, Refusal } from './plan-builder.js';
import type { AnyNode } from './parse-nodes.js';
import type { ComparisonOperator, HavingExpr, HavingOperand } from './plan-types.js';
import { tokenText } from './statement-tokens.js';

const OPERATORS: ReadonlySet<string> = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

export function havingExpr(node: AnyNode, b: PlanBuilder, toChar: ByteToChar): HavingExpr {
  if ('BoolExpr' in node) {
    const e = node['BoolExpr'] as AnyNode;
    const args = (e['args'] as AnyNode[]).map((a) => havingExpr(a, b, toChar));
    if (e['boolop'] === 'NOT_EXPR') return { op: 'not', arg: args[0]! };
    return { op: e['boolop'] === 'AND_EXPR' ? 'and' : 'or', args };
  }
  if ('A_Expr' in node) {
    const e = node['A_Expr'] as AnyNode;
    const names = (e['name'] as AnyNode[]).map((n) => String((n['String'] as AnyNode)['sval']));
    const op = names[names.length - 1]!;
    if (e['kind'] === 'AEXPR_OP' && names.length === 1 && OPERATORS.has(op)) {
      return {
        op: 'compare',
        operator: (op === '!=' ? '<>' : op) as ComparisonOperator,
        left: operand(e['lexpr'] as AnyNode, b, toChar),
        right: operand(e['rexpr'] as AnyNode, b, toChar),
      };
    }
  }
  if ('NullTest' in node) {
    const e = node['NullTest'] as AnyNode;
    return { op: e['nulltesttype'] === 'IS_NOT_NULL' ? 'is_not_null' : 'is_null', arg: operand(e['arg'] as AnyNode, b, toChar) };
  }
  throw new Refusal('HAVING with this expression', 'HAVING across shards supports AND / OR / NOT, comparisons (=, <>, <, <=, >, >=) and IS [NOT] NULL of aggregates, grouped columns, constants and parameters');
}

function operand(node: AnyNode, b: PlanBuilder, toChar: ByteToChar): HavingOperand {
  let n = node;
  if ('TypeCast' in n) {
    const arg = (n['TypeCast'] as AnyNode)['arg'] as AnyNode;
    if ('A_Const' in arg || 'ParamRef' in arg) n = arg;
  }
  if ('ParamRef' in n) return { kind: 'param', index: Number((n['ParamRef'] as AnyNode)['number']) };
  const c = n['A_Const'] as AnyNode | undefined;
  if (c !== undefined) {
    if (c['isnull'] === true) return { kind: 'literal', text: null };
    if (c['ival'] !== undefined) return { kind: 'literal', text: String((c['ival'] as AnyNode)['ival'] ?? 0) };
    if (c['fval'] !== undefined) return { kind: 'literal', text: String((c['fval'] as AnyNode)['fval']) };
    if (c['sval'] !== undefined) return { kind: 'literal', text: String((c['sval'] as AnyNode)['sval'] ?? '') };
    if (c['boolval'] !== undefined) return { kind: 'literal', text: (c['boolval'] as AnyNode)['boolval'] === true ? 't' : 'f' };
  }
  if ('FuncCall' in n || 'ColumnRef' in n) return { kind: 'column', column: b.aggregateQueryColumn(n, nodeText(n, b, toChar)) };
  throw new Refusal('HAVING with this expression', 'HAVING across shards compares aggregates, grouped columns, constants and parameters, not other expressions');
}

/** Source text of a function call (with FILTER) or a column reference, from its location. */
function nodeText(node: AnyNode, b: PlanBuilder, toChar: ByteToChar): string {
  const body = (node['FuncCall'] ?? node['ColumnRef']) as AnyNode;
  const at = toChar(Number(body['location']));
  const tokens = b.tokens;
  const first = tokens.findIndex((t) => t.start === at);
  if (first < 0) throw new Refusal('HAVING', 'could not locate a HAVING expression in the query text');
  let i = first;
  if ('ColumnRef' in node) {
    while (i + 2 < tokens.length && tokens[i + 1]!.text === '.') i += 2;
    return tokenText(b.sql, tokens, first, i + 1);
  }
  while (i < tokens.length && tokens[i]!.text !== '(') i++;
  i = closing(tokens, i);
  if (tokens[i + 1]?.keyword === 'filter') i = closing(tokens, i + 2);
  return tokenText(b.sql, tokens, first, i + 1);
}

function closing(tokens: PlanBuilder['tokens'], open: number): number {
  const depth = tokens[open]!.depth;
  for (let i = open + 1; i < tokens.length; i++) if (tokens[i]!.text === ')' && tokens[i]!.depth === depth) return i;
  throw new Refusal('HAVING', 'unbalanced parentheses in HAVING');
}
