// Catalogue of query-rule diagnostics. Codes are stable (users' CI matches on them); messages are
// built here and nowhere else. Positions inside a `match` expression are offsets into the decoded
// TOML string; toml-position.ts maps them to the file.

export type RuleSeverity = 'error' | 'warning';

export const ruleCodes = {
  E_RULE_EMPTY: { severity: 'error', summary: '`match` is empty (or holds only whitespace and comments).' },
  E_RULE_SYNTAX: { severity: 'error', summary: 'The expression does not follow the grammar (unexpected word, symbol or end).' },
  E_RULE_UNTERMINATED_STRING: { severity: 'error', summary: "A quoted value has no closing `'`." },
  E_RULE_UNKNOWN_FLAG: { severity: 'error', summary: 'A bare word that is not a flag.' },
  E_RULE_UNKNOWN_FIELD: { severity: 'error', summary: 'A comparison on a word that is not a field.' },
  E_RULE_UNKNOWN_FUNCTION: { severity: 'error', summary: 'A `name(...)` predicate other than `calls(...)`.' },
  E_RULE_MISSING_COMPARISON: { severity: 'error', summary: 'A field used on its own, without `=`, `in`, `~`, ...' },
  E_RULE_BAD_OPERATOR: { severity: 'error', summary: 'An operator the field does not accept, or an operator after a flag.' },
  E_RULE_BAD_REGEX: { severity: 'error', summary: 'A pattern after `~` / `!~` that is not a valid JavaScript regular expression.' },
  E_RULE_TOO_DEEP: { severity: 'error', summary: 'Parentheses nested more than 64 deep.' },
  E_RULE_BAD_ROUTE: { severity: 'error', summary: '`route` is not primary, replica, shard:N, all_shards or block.' },
  E_RULE_BAD_SHARD: { severity: 'error', summary: '`route = "shard:N"` where N is not a non-negative integer.' },
  E_RULE_SHARD_OUT_OF_RANGE: { severity: 'error', summary: '`route = "shard:N"` where the database has no shard N.' },
  W_RULE_NEVER_MATCHES: { severity: 'warning', summary: 'The rule contradicts itself (with its scope): no statement can match it.' },
  W_RULE_SHADOWED: { severity: 'warning', summary: 'Every statement the rule matches is taken by earlier rules (or by block rules, which run first).' },
  W_RULE_MESSAGE_IGNORED: { severity: 'warning', summary: '`message` on a rule whose route is not `block`.' },
} as const satisfies Record<string, { severity: RuleSeverity; summary: string }>;

export type RuleCode = keyof typeof ruleCodes;

/** Which key of the `[[query_rules]]` entry the diagnostic is about. */
export type RuleKey = 'match' | 'route' | 'message';

export interface RuleDiagnostic {
  code: RuleCode;
  severity: RuleSeverity;
  message: string;
  hint?: string;
  /** Index of the rule in the input list (its `[[query_rules]]` position). */
  rule: number;
  ruleName: string;
  key: RuleKey;
  /** For key `match` (when a spot is known): offsets into the expression and 1-based line:column. */
  offset?: number;
  end?: number;
  line?: number;
  column?: number;
  /** W_RULE_SHADOWED: indexes of the rules that take the statements. */
  related?: number[];
}

/** A problem inside one expression, before it is attached to a rule. */
export interface ExpressionProblem {
  code: RuleCode;
  message: string;
  hint?: string;
  offset: number;
  end: number;
}

export interface TextPosition {
  line: number;
  column: number;
}

/**
 * 1-based line and column (UTF-16 units) of an offset in the expression text. Lines end at `\n`;
 * the `\r` of a CRLF counts as the last column of its line, as TOML keeps CRLF in the value.
 */
export function expressionPosition(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  const stop = Math.min(Math.max(offset, 0), text.length);
  for (let i = 0; i < stop; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: stop - lineStart + 1 };
}

export function ruleDiagnostic(
  code: RuleCode,
  rule: { index: number; name: string },
  key: RuleKey,
  message: string,
  extra: { hint?: string; offset?: number; end?: number; text?: string; related?: number[] } = {},
): RuleDiagnostic {
  const d: RuleDiagnostic = { code, severity: ruleCodes[code].severity, message, rule: rule.index, ruleName: rule.name, key };
  if (extra.hint !== undefined) d.hint = extra.hint;
  if (extra.offset !== undefined && extra.text !== undefined) {
    const pos = expressionPosition(extra.text, extra.offset);
    d.offset = extra.offset;
    d.end = extra.end ?? extra.offset;
    d.line = pos.line;
    d.column = pos.column;
  }
  if (extra.related !== undefined) d.related = extra.related;
  return d;
}
