// Finding the rule that applies to a statement. SPEC §3.2 puts block rules first (before plugins,
// comments and SET), and the other rules later; within each group the first match in file order
// wins.

import type { RuleFacts } from './ast.js';
import type { CompiledRule } from './compiled-rule.js';

export interface RuleMatch {
  index: number;
  rule: CompiledRule;
}

function first(rules: readonly CompiledRule[], facts: RuleFacts, want: 'any' | 'block' | 'route'): RuleMatch | null {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (want !== 'any' && (r.route.kind === 'block') !== (want === 'block')) continue;
    if (r.test(facts)) return { index: r.index, rule: r };
  }
  return null;
}

/** First rule in file order whose scope and expression match. */
export function matchRules(rules: readonly CompiledRule[], facts: RuleFacts): RuleMatch | null {
  return first(rules, facts, 'any');
}

/** First matching `route = "block"` rule (precedence step 1). */
export function matchBlockRule(rules: readonly CompiledRule[], facts: RuleFacts): RuleMatch | null {
  return first(rules, facts, 'block');
}

/** First matching rule that routes rather than blocks (precedence step 5). */
export function matchRouteRule(rules: readonly CompiledRule[], facts: RuleFacts): RuleMatch | null {
  return first(rules, facts, 'route');
}
