// The words of the rule language and which comparisons each field accepts. One table, so the
// parser, the error hints and the documentation cannot drift apart.

import { closest, distance } from 'fastest-levenshtein';
import type { RuleField, RuleFlag, ScalarField, SetField } from './ast.js';

export const RULE_FLAGS: readonly RuleFlag[] = [
  'select', 'insert', 'update', 'delete', 'ddl', 'copy', 'write', 'read', 'locking', 'in_transaction',
];

export const SCALAR_FIELDS: readonly ScalarField[] = ['user', 'database', 'application_name', 'query', 'fingerprint'];
export const SET_FIELDS: readonly SetField[] = ['table'];
export const RULE_FIELDS: readonly RuleField[] = [...SET_FIELDS, ...SCALAR_FIELDS];

/** Parenthesis depth limit: deep enough for any hand-written rule; shallow enough that recursion
 *  never exhausts the stack. */
export const MAX_NESTING = 64;

/** The only function-style predicate. */
export const CALLS = 'calls';

export type OperatorFamily = 'equality' | 'regex';

/**
 * Full query text only makes sense as a pattern (an exact text match breaks on whitespace);
 * a fingerprint is a hash, so a pattern over it is meaningless.
 */
const FIELD_OPERATORS: Record<RuleField, readonly OperatorFamily[]> = {
  table: ['equality', 'regex'],
  user: ['equality', 'regex'],
  database: ['equality', 'regex'],
  application_name: ['equality', 'regex'],
  query: ['regex'],
  fingerprint: ['equality'],
};

export function fieldAccepts(field: RuleField, family: OperatorFamily): boolean {
  return FIELD_OPERATORS[field].includes(family);
}

/**
 * RegExp flags of `~` (and `~*`, adding `i`): `s` so that `.` also matches line breaks, as with
 * PostgreSQL's `~`. No `g`/`y`, so `test()` keeps no state between calls. No `u`: the lenient
 * syntax accepts more patterns written for other engines.
 */
export function regexFlags(ignoreCase: boolean): string {
  return ignoreCase ? 'si' : 's';
}

export function isRuleFlag(word: string): word is RuleFlag {
  return (RULE_FLAGS as readonly string[]).includes(word);
}

export function isRuleField(word: string): word is RuleField {
  return (RULE_FIELDS as readonly string[]).includes(word);
}

export function isSetField(field: RuleField): field is SetField {
  return field === 'table';
}

/** The closest candidate if it is near enough to be a plausible typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const limit = best.length <= 4 ? 1 : best.length <= 8 ? 2 : 3;
  return distance(word, best) <= limit ? best : undefined;
}
