// Text -> AST for one `match` expression: lex, reject what the grammar cannot explain well
// (bad characters, unterminated or double-quoted strings, runaway nesting), parse, resolve.

import type { RuleExpr } from './ast.js';
import type { ExpressionProblem } from './diagnostics.js';
import { DoubleQuoted, lexRuleExpression, LParen, RParen, tokenEnd, UnterminatedString } from './lexer.js';
import { parseRuleTokens } from './parser.js';
import { resolveSyntax } from './resolve.js';
import { MAX_NESTING } from './vocabulary.js';

export { MAX_NESTING } from './vocabulary.js';

export interface ParsedExpression {
  expr: RuleExpr | null;
  problems: ExpressionProblem[];
}

function fail(problem: ExpressionProblem): ParsedExpression {
  return { expr: null, problems: [problem] };
}

export function parseRuleExpression(text: string): ParsedExpression {
  const { tokens, badCharacter } = lexRuleExpression(text);
  if (badCharacter) {
    const ch = String.fromCodePoint(text.codePointAt(badCharacter.offset) ?? 0);
    return fail({ code: 'E_RULE_SYNTAX', message: `unexpected character '${ch}'`, offset: badCharacter.offset, end: badCharacter.offset + ch.length });
  }
  if (tokens.length === 0) {
    return fail({ code: 'E_RULE_EMPTY', message: 'the expression is empty', offset: 0, end: 0, hint: "write a condition, e.g. select and table = 'events'" });
  }
  let depth = 0;
  for (const t of tokens) {
    const at = { offset: t.startOffset, end: tokenEnd(t) };
    if (t.tokenType === UnterminatedString) {
      return fail({ code: 'E_RULE_UNTERMINATED_STRING', message: 'string has no closing quote', ...at, end: at.offset + 1, hint: "close it with ' (write '' for a quote inside the string)" });
    }
    if (t.tokenType === DoubleQuoted) {
      const inner = t.image.replace(/^"|"$/g, '');
      return fail({ code: 'E_RULE_SYNTAX', message: 'strings are written in single quotes', ...at, hint: `write '${inner.replace(/'/g, "''")}'` });
    }
    if (t.tokenType === LParen && ++depth > MAX_NESTING) {
      return fail({ code: 'E_RULE_TOO_DEEP', message: `parentheses are nested more than ${MAX_NESTING} deep`, ...at });
    }
    if (t.tokenType === RParen) depth--;
  }
  const parsed = parseRuleTokens(tokens, text.length);
  if (!parsed.tree) {
    const e = parsed.error!;
    const p: ExpressionProblem = { code: 'E_RULE_SYNTAX', message: e.message, offset: e.offset, end: e.end };
    if (e.hint !== undefined) p.hint = e.hint;
    return fail(p);
  }
  return resolveSyntax(parsed.tree);
}
