// Tokens of the query-rule language. Words are case-insensitive. Flags, fields and `calls` are
// plain identifiers here; resolve.ts tells them apart, which lets it say "unknown flag" with a
// suggestion instead of a bare "unexpected token". A few tokens exist only to produce a better
// error (double quotes, `&&`, unterminated strings).

import type { IToken, TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain-runtime.js';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
/** `-- ...` to the end of the line, handy in multi-line `'''` expressions. */
export const Comment = createToken({ name: 'Comment', pattern: /--[^\n]*/, group: Lexer.SKIPPED });

export const Identifier = createToken({
  name: 'Identifier',
  label: 'a word',
  pattern: /[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*/,
});

function keyword(word: string): TokenType {
  return createToken({ name: word[0].toUpperCase() + word.slice(1), label: `\`${word}\``, pattern: new RegExp(word, 'i'), longer_alt: Identifier });
}
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');
export const In = keyword('in');

// `(?!')` so that `'it''s` (no closing quote) is one unterminated string, not `'it'` + `'s`.
export const StringLiteral = createToken({ name: 'StringLiteral', label: 'a quoted string', pattern: /'(?:[^']|'')*'(?!')/, line_breaks: true });
export const UnterminatedString = createToken({ name: 'UnterminatedString', label: 'an unterminated string', pattern: /'(?:[^']|'')*/, line_breaks: true });
export const DoubleQuoted = createToken({ name: 'DoubleQuoted', label: 'a double-quoted string', pattern: /"[^"\n]*"?/ });
export const NumberLiteral = createToken({ name: 'NumberLiteral', label: 'a number', pattern: /\d+(?:\.\d+)?/ });

export const LParen = createToken({ name: 'LParen', label: "'('", pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', label: "')'", pattern: /\)/ });
export const Comma = createToken({ name: 'Comma', label: "','", pattern: /,/ });

export const NotRegexI = createToken({ name: 'NotRegexI', label: "'!~*'", pattern: /!~\*/ });
export const NotRegex = createToken({ name: 'NotRegex', label: "'!~'", pattern: /!~/ });
export const NotEq = createToken({ name: 'NotEq', label: "'!='", pattern: /!=|<>/ });
/** Operators from other languages; never valid, kept to say what to write instead. */
export const Mistake = createToken({ name: 'Mistake', label: 'an operator', pattern: /&&|\|\||==|!/ });
export const RegexI = createToken({ name: 'RegexI', label: "'~*'", pattern: /~\*/ });
export const Regex = createToken({ name: 'Regex', label: "'~'", pattern: /~/ });
export const Eq = createToken({ name: 'Eq', label: "'='", pattern: /=/ });

export const ruleTokens: TokenType[] = [
  WhiteSpace, Comment,
  And, Or, Not, In, Identifier,
  StringLiteral, UnterminatedString, DoubleQuoted, NumberLiteral,
  LParen, RParen, Comma,
  NotRegexI, NotRegex, NotEq, Mistake, RegexI, Regex, Eq,
];

const lexer = new Lexer(ruleTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true });

export interface LexResult {
  tokens: IToken[];
  /** First character no token matches, if any. */
  badCharacter?: { offset: number; length: number };
}

export function lexRuleExpression(text: string): LexResult {
  const r = lexer.tokenize(text);
  const first = r.errors[0];
  return first ? { tokens: r.tokens, badCharacter: { offset: first.offset, length: first.length } } : { tokens: r.tokens };
}

/** Half-open end offset of a token. */
export function tokenEnd(t: IToken): number {
  // The grammar-recording pass hands out placeholder tokens without an image.
  return t.startOffset + (t.image ? t.image.length : 0);
}
