// A compiled rule and how one is assembled from an expression. Kept apart from compile.ts so that
// rebuilding rules from a routing table (serialize.ts) never loads the expression parser
// (chevrotain costs ~270 ms to import; a proxy that serves a compiled table does not need it).

import type { RuleExpr, RuleFacts, RuleRoute } from './ast.js';
import { buildMatcher, type RuleMatcher } from './matcher.js';

export interface CompiledRule {
  /** Position in the input list (the `[[query_rules]]` index). */
  index: number;
  name: string;
  database?: string;
  user?: string;
  /** The expression text as written. */
  match: string;
  expr: RuleExpr;
  route: RuleRoute;
  /** Scope (database, user) and expression together. */
  test: RuleMatcher;
}

/** Scope check first: it is two string compares and rules out most rules for most sessions. */
export function scopedMatcher(database: string | undefined, user: string | undefined, m: RuleMatcher): RuleMatcher {
  if (database !== undefined && user !== undefined) return (f: RuleFacts) => f.database === database && f.user === user && m(f);
  if (database !== undefined) return (f: RuleFacts) => f.database === database && m(f);
  if (user !== undefined) return (f: RuleFacts) => f.user === user && m(f);
  return m;
}

export function makeCompiledRule(index: number, input: { name: string; database?: string; user?: string; match: string }, expr: RuleExpr, route: RuleRoute): CompiledRule {
  const rule: CompiledRule = { index, name: input.name, match: input.match, expr, route, test: scopedMatcher(input.database, input.user, buildMatcher(expr)) };
  if (input.database !== undefined) rule.database = input.database;
  if (input.user !== undefined) rule.user = input.user;
  return rule;
}
