// AST -> canonical expression text (lower-case words, single spaces, only the parentheses the
// precedence needs). Used by SHOW RULES / route explanations, and round-trips through the parser.

import type { RuleExpr } from './ast.js';

const PRECEDENCE: Record<RuleExpr['type'], number> = { or: 1, and: 2, not: 3, flag: 4, compare: 4, regex: 4, calls: 4 };

export function quoteRuleString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const WORD = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*$/;
const KEYWORDS = new Set(['and', 'or', 'not', 'in']);

function functionName(n: string): string {
  return WORD.test(n) && !KEYWORDS.has(n) ? n : quoteRuleString(n);
}

function wrap(e: RuleExpr, min: number): string {
  const s = formatRuleExpr(e);
  return PRECEDENCE[e.type] < min ? `(${s})` : s;
}

export function formatRuleExpr(e: RuleExpr): string {
  switch (e.type) {
    case 'or':
      return e.items.map((i) => wrap(i, 1)).join(' or ');
    case 'and':
      return e.items.map((i) => wrap(i, 2)).join(' and ');
    case 'not':
      // `not not x` would read back as `x`; keep the nesting visible.
      return e.item.type === 'not' ? `not (${formatRuleExpr(e.item)})` : `not ${wrap(e.item, 3)}`;
    case 'flag':
      return e.flag;
    case 'compare':
      return e.op === 'in' || e.op === 'not in'
        ? `${e.field} ${e.op} (${e.values.map(quoteRuleString).join(', ')})`
        : `${e.field} ${e.op} ${quoteRuleString(e.values[0])}`;
    case 'regex':
      return `${e.field} ${e.negated ? '!' : ''}~${e.ignoreCase ? '*' : ''} ${quoteRuleString(e.pattern)}`;
    case 'calls':
      return `calls(${e.names.map(functionName).join(', ')})`;
  }
}
