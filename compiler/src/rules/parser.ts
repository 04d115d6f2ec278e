// Syntax of the query-rule language (chevrotain, embedded actions). The parser only checks shape
// and builds a syntax tree of tokens; which words are flags or fields, which operator a field
// accepts and whether a regex compiles are decided in resolve.ts, so those errors can carry a
// precise hint.
//
//   expression := or
//   or         := and { OR and }
//   and        := not { AND not }
//   not        := { NOT } primary          (an even number of NOTs cancels out)
//   primary    := '(' or ')' | predicate
//   predicate  := WORD [ '(' value { ',' value } ')'
//                      | ( '=' | '!=' | '<>' | '~' | '~*' | '!~' | '!~*' ) value
//                      | [ NOT ] IN '(' value { ',' value } ')' ]
//   value      := STRING | WORD | NUMBER        (only STRING is valid; resolve.ts explains the others)

import type { IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { EmbeddedActionsParser, EOF } from './chevrotain-runtime.js';
import {
  And, Comma, Eq, Identifier, In, LParen, Mistake, Not, NotEq, NotRegex, NotRegexI, NumberLiteral, Or, Regex, RegexI, RParen,
  ruleTokens, StringLiteral, tokenEnd,
} from './lexer.js';

export type SyntaxOperator = '=' | '!=' | '~' | '~*' | '!~' | '!~*' | 'in' | 'not in';

export type SyntaxNode =
  | { t: 'or' | 'and'; items: SyntaxNode[]; start: number; end: number }
  | { t: 'not'; item: SyntaxNode; start: number; end: number }
  | { t: 'word'; word: IToken; start: number; end: number }
  | { t: 'compare'; word: IToken; op: SyntaxOperator; opToken: IToken; values: IToken[]; start: number; end: number }
  | { t: 'call'; word: IToken; args: IToken[]; start: number; end: number };

function describeToken(t: IToken): string {
  if (t.tokenType === EOF) return 'the end of the expression';
  if (t.tokenType === Identifier) return `\`${t.image}\``;
  if (t.tokenType === StringLiteral || t.tokenType === NumberLiteral) return t.image;
  return `'${t.image}'`;
}

/** Messages in our words: chevrotain's defaults list every grammar path. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${expected.LABEL ?? expected.name} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    firstRedundant.tokenType === RParen ? "unexpected ')' without a matching '('" : `expected \`and\`, \`or\` or the end of the expression but found ${describeToken(firstRedundant)}`,
  buildNoViableAltMessage: ({ actual, ruleName }) => {
    const what = ruleName === 'value' ? 'a quoted string' : "a condition (a flag, a comparison, calls(...), `not` or '(')";
    return `expected ${what} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage: ({ actual }) => `unexpected ${describeToken(actual[0])}`,
};

const COMPARE_OPERATORS: [TokenType, SyntaxOperator][] = [
  [Eq, '='], [NotEq, '!='], [Regex, '~'], [RegexI, '~*'], [NotRegex, '!~'], [NotRegexI, '!~*'],
];

class RuleParser extends EmbeddedActionsParser {
  constructor() {
    super(ruleTokens, { errorMessageProvider: messages, recoveryEnabled: false, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  expression = this.RULE('expression', (): SyntaxNode => this.SUBRULE(this.orExpr));

  private orExpr = this.RULE('orExpr', (): SyntaxNode => {
    const items = [this.SUBRULE(this.andExpr)];
    this.MANY(() => {
      this.CONSUME(Or);
      items.push(this.SUBRULE2(this.andExpr));
    });
    return items.length === 1 ? items[0] : { t: 'or', items, start: items[0].start, end: items[items.length - 1].end };
  });

  private andExpr = this.RULE('andExpr', (): SyntaxNode => {
    const items = [this.SUBRULE(this.notExpr)];
    this.MANY(() => {
      this.CONSUME(And);
      items.push(this.SUBRULE2(this.notExpr));
    });
    return items.length === 1 ? items[0] : { t: 'and', items, start: items[0].start, end: items[items.length - 1].end };
  });

  // Iterative, and `not not x` is `x`: a long chain of `not`s can neither exhaust the stack here
  // nor in any later pass over the tree.
  private notExpr = this.RULE('notExpr', (): SyntaxNode => {
    const nots: IToken[] = [];
    this.MANY(() => nots.push(this.CONSUME(Not)));
    const node = this.SUBRULE(this.primary);
    if (nots.length === 0) return node;
    const start = nots[0].startOffset;
    return nots.length % 2 === 1 ? { t: 'not', item: node, start, end: node.end } : widen(node, start, node.end);
  });

  private primary = this.RULE('primary', (): SyntaxNode =>
    this.OR([
      {
        ALT: () => {
          const open = this.CONSUME(LParen);
          const inner = this.SUBRULE(this.orExpr);
          const close = this.CONSUME(RParen);
          return widen(inner, open.startOffset, tokenEnd(close));
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]),
  );

  private predicate = this.RULE('predicate', (): SyntaxNode => {
    const word = this.CONSUME(Identifier);
    let node: SyntaxNode = { t: 'word', word, start: word.startOffset, end: tokenEnd(word) };
    this.OPTION(() => {
      node = this.OR(
        [
          {
            ALT: () => {
              this.CONSUME(LParen);
              const args = this.SUBRULE(this.values);
              const close = this.CONSUME(RParen);
              return { t: 'call', word, args, start: word.startOffset, end: tokenEnd(close) } as SyntaxNode;
            },
          },
          {
            ALT: () => {
              const opToken = this.OR2(COMPARE_OPERATORS.map(([tokenType]) => ({ ALT: () => this.CONSUME(tokenType) })));
              const value = this.SUBRULE(this.value);
              const op = COMPARE_OPERATORS.find(([tokenType]) => tokenType === opToken.tokenType)?.[1] ?? '=';
              return { t: 'compare', word, op, opToken, values: [value], start: word.startOffset, end: tokenEnd(value) } as SyntaxNode;
            },
          },
          {
            ALT: () => {
              let opToken: IToken | undefined;
              this.OPTION2(() => (opToken = this.CONSUME(Not)));
              const inToken = this.CONSUME(In);
              this.CONSUME2(LParen);
              const values = this.SUBRULE2(this.values);
              const close = this.CONSUME2(RParen);
              const op: SyntaxOperator = opToken ? 'not in' : 'in';
              return { t: 'compare', word, op, opToken: opToken ?? inToken, values, start: word.startOffset, end: tokenEnd(close) } as SyntaxNode;
            },
          },
        ],
      );
    });
    return node;
  });

  private values = this.RULE('values', (): IToken[] => {
    const list = [this.SUBRULE(this.value)];
    this.MANY(() => {
      this.CONSUME(Comma);
      list.push(this.SUBRULE2(this.value));
    });
    return list;
  });

  private value = this.RULE('value', (): IToken =>
    this.OR([
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(NumberLiteral) },
    ]),
  );
}

function widen(node: SyntaxNode, start: number, end: number): SyntaxNode {
  return { ...node, start, end };
}

const parser = new RuleParser();

export interface SyntaxError {
  message: string;
  hint?: string;
  offset: number;
  end: number;
}

const MISTAKE_HINTS: Record<string, string> = {
  '&&': 'write `and`',
  '||': 'write `or`',
  '==': 'write `=`',
  '!': 'write `not`',
};

function syntaxError(e: IRecognitionException, tokens: IToken[], textLength: number): SyntaxError {
  const t = e.token;
  const atEnd = t.tokenType === EOF || Number.isNaN(t.startOffset);
  const last = tokens[tokens.length - 1];
  const offset = atEnd ? (last ? tokenEnd(last) : textLength) : t.startOffset;
  const err: SyntaxError = { message: e.message, offset, end: atEnd ? offset : tokenEnd(t) };
  if (!atEnd && t.tokenType === Mistake) err.hint = MISTAKE_HINTS[t.image];
  else if (e.name === 'NotAllInputParsedException' && t.tokenType !== RParen) err.hint = 'join conditions with `and` or `or`';
  return err;
}

/** Parses already-lexed tokens. Stops at the first syntax error. */
export function parseRuleTokens(tokens: IToken[], textLength: number): { tree: SyntaxNode | null; error?: SyntaxError } {
  parser.input = tokens;
  const tree = parser.expression();
  const first = parser.errors[0];
  if (first) return { tree: null, error: syntaxError(first, tokens, textLength) };
  return { tree };
}
