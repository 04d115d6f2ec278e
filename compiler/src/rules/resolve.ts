// Syntax tree -> AST: decides what each word is (flag, field, function), checks that the field
// accepts the operator, decodes strings and compiles every regex once so a bad one is reported
// here with its position. Collects every problem instead of stopping at the first.

import type { IToken } from 'chevrotain';
import type { RuleExpr, RuleField } from './ast.js';
import type { ExpressionProblem } from './diagnostics.js';
import { StringLiteral, tokenEnd } from './lexer.js';
import type { SyntaxNode, SyntaxOperator } from './parser.js';
import { CALLS, fieldAccepts, isRuleField, isRuleFlag, regexFlags, RULE_FIELDS, RULE_FLAGS, suggest, type OperatorFamily } from './vocabulary.js';

function unquote(image: string): string {
  return image.slice(1, -1).replace(/''/g, "'");
}

function example(field: RuleField): string {
  if (field === 'query') return "query ~ 'pattern'";
  if (field === 'fingerprint') return "fingerprint = '...'";
  return `${field} = '...' or ${field} in ('...', '...')`;
}

class Resolver {
  readonly problems: ExpressionProblem[] = [];

  problem(code: ExpressionProblem['code'], message: string, at: { start: number; end: number }, hint?: string): null {
    const p: ExpressionProblem = { code, message, offset: at.start, end: at.end };
    if (hint !== undefined) p.hint = hint;
    this.problems.push(p);
    return null;
  }

  node(n: SyntaxNode): RuleExpr | null {
    const span = { offset: n.start, end: n.end };
    switch (n.t) {
      case 'or':
      case 'and': {
        const items = n.items.map((i) => this.node(i));
        if (items.some((i) => i === null)) return null;
        const flat = (items as RuleExpr[]).flatMap((i) => (i.type === n.t ? i.items : [i]));
        return n.t === 'or' ? { type: 'or', items: flat, span } : { type: 'and', items: flat, span };
      }
      case 'not': {
        const item = this.node(n.item);
        return item && { type: 'not', item, span };
      }
      case 'word':
        return this.word(n.word, span);
      case 'compare':
        return this.compare(n.word, n.op, n.opToken, n.values, span);
      case 'call':
        return this.call(n.word, n.args, span);
    }
  }

  word(token: IToken, span: { offset: number; end: number }): RuleExpr | null {
    const at = { start: span.offset, end: span.end };
    const word = token.image.toLowerCase();
    if (isRuleFlag(word)) return { type: 'flag', flag: word, span };
    if (isRuleField(word)) return this.problem('E_RULE_MISSING_COMPARISON', `\`${word}\` is a field and needs a comparison`, at, `write ${example(word)}`);
    if (word === CALLS) return this.problem('E_RULE_SYNTAX', '`calls` needs a list of function names', at, 'write calls(name, ...)');
    const near = suggest(word, RULE_FLAGS);
    return this.problem('E_RULE_UNKNOWN_FLAG', `unknown flag \`${token.image}\``, at, near ? `did you mean \`${near}\`?` : `flags are: ${RULE_FLAGS.join(', ')}`);
  }

  compare(token: IToken, op: SyntaxOperator, opToken: IToken, values: IToken[], span: { offset: number; end: number }): RuleExpr | null {
    const word = token.image.toLowerCase();
    const wordAt = { start: token.startOffset, end: tokenEnd(token) };
    const opAt = { start: opToken.startOffset, end: tokenEnd(opToken) };
    if (isRuleFlag(word)) return this.problem('E_RULE_BAD_OPERATOR', `\`${word}\` is a flag and takes no operator`, opAt, `write \`${word}\` on its own`);
    if (!isRuleField(word)) {
      if (word === CALLS) return this.problem('E_RULE_UNKNOWN_FIELD', '`calls` is not a field', wordAt, 'write calls(name, ...)');
      const near = suggest(word, RULE_FIELDS);
      return this.problem('E_RULE_UNKNOWN_FIELD', `unknown field \`${token.image}\``, wordAt, near ? `did you mean \`${near}\`?` : `fields are: ${RULE_FIELDS.join(', ')}`);
    }
    const family: OperatorFamily = op.includes('~') ? 'regex' : 'equality';
    if (!fieldAccepts(word, family)) {
      return this.problem('E_RULE_BAD_OPERATOR', `\`${word}\` cannot be compared with '${op}'`, opAt, `write ${example(word)}`);
    }
    const strings = this.strings(values);
    if (strings === null) return null;
    if (family === 'equality') return { type: 'compare', field: word, op: op as '=' | '!=' | 'in' | 'not in', values: strings, span };
    const ignoreCase = op.endsWith('*');
    const pattern = strings[0];
    try {
      new RegExp(pattern, regexFlags(ignoreCase));
    } catch (e) {
      const detail = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
      const v = values[0];
      return this.problem('E_RULE_BAD_REGEX', `invalid regular expression '${pattern}': ${detail}`, { start: v.startOffset, end: tokenEnd(v) }, 'patterns use JavaScript RegExp syntax; escape a literal character with a backslash');
    }
    return { type: 'regex', field: word, pattern, ignoreCase, negated: op.startsWith('!'), span };
  }

  call(token: IToken, args: IToken[], span: { offset: number; end: number }): RuleExpr | null {
    const word = token.image.toLowerCase();
    if (word !== CALLS) {
      const near = suggest(word, [CALLS]);
      return this.problem('E_RULE_UNKNOWN_FUNCTION', `unknown function \`${token.image}\``, { start: token.startOffset, end: tokenEnd(token) }, near ? `did you mean \`${CALLS}\`?` : 'the only function is calls(name, ...)');
    }
    const names: string[] = [];
    for (const a of args) {
      if (a.tokenType === StringLiteral) names.push(unquote(a.image).toLowerCase());
      else if (/^[A-Za-z_]/.test(a.image)) names.push(a.image.toLowerCase());
      else this.problem('E_RULE_SYNTAX', `expected a function name but found ${a.image}`, { start: a.startOffset, end: tokenEnd(a) });
    }
    return names.length === args.length ? { type: 'calls', names, span } : null;
  }

  /** Values must be quoted; a bare word or number is a common slip worth its own hint. */
  strings(values: IToken[]): string[] | null {
    const out: string[] = [];
    for (const v of values) {
      if (v.tokenType === StringLiteral) out.push(unquote(v.image));
      else this.problem('E_RULE_SYNTAX', `expected a quoted string but found ${v.image}`, { start: v.startOffset, end: tokenEnd(v) }, `quote it: '${v.image}'`);
    }
    return out.length === values.length ? out : null;
  }
}

export function resolveSyntax(tree: SyntaxNode): { expr: RuleExpr | null; problems: ExpressionProblem[] } {
  const r = new Resolver();
  const expr = r.node(tree);
  return { expr: r.problems.length ? null : expr, problems: r.problems };
}
