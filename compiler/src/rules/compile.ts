// `[[query_rules]]` entries -> compiled rules (each with its matcher built once), every error of
// every rule, and the analysis warnings. A rule with an error is left out of `rules`.

import type { RuleInput } from './ast.js';
import { analyzeRules } from './analyze.js';
import { ruleDiagnostic, type RuleDiagnostic } from './diagnostics.js';
import { parseRuleExpression } from './expression.js';
import { makeCompiledRule, type CompiledRule } from './compiled-rule.js';
import { isRouteProblem, parseRouteTarget } from './route-target.js';

export { makeCompiledRule, scopedMatcher, type CompiledRule } from './compiled-rule.js';

export interface CompileRulesOptions {
  /**
   * Number of shards of the database a rule is scoped to (`undefined` for an unscoped rule), or
   * undefined when unknown; used to reject `shard:N` beyond the last shard.
   */
  shardCount?: (database: string | undefined) => number | undefined;
  /** Run the contradiction / shadowing analysis (default true). */
  analyze?: boolean;
  maxTerms?: number;
  maxSteps?: number;
}

export interface CompileRulesResult {
  rules: CompiledRule[];
  errors: RuleDiagnostic[];
  warnings: RuleDiagnostic[];
}

export function compileRules(inputs: readonly RuleInput[], opts: CompileRulesOptions = {}): CompileRulesResult {
  const rules: CompiledRule[] = [];
  const errors: RuleDiagnostic[] = [];
  const warnings: RuleDiagnostic[] = [];

  inputs.forEach((input, index) => {
    const at = { index, name: input.name };
    const before = errors.length;
    const parsed = parseRuleExpression(input.match);
    for (const p of parsed.problems) {
      errors.push(ruleDiagnostic(p.code, at, 'match', p.message, { hint: p.hint, offset: p.offset, end: p.end, text: input.match }));
    }
    const route = parseRouteTarget(input.route, input.name, input.message);
    if (isRouteProblem(route)) {
      errors.push(ruleDiagnostic(route.code, at, 'route', route.message, { hint: route.hint }));
    } else {
      if (route.kind === 'shard') {
        const count = opts.shardCount?.(input.database);
        if (count !== undefined && route.shard >= count) {
          const where = input.database !== undefined ? `database \`${input.database}\`` : 'a database this rule applies to';
          errors.push(ruleDiagnostic('E_RULE_SHARD_OUT_OF_RANGE', at, 'route', `shard ${route.shard} does not exist in ${where} (shards 0..${count - 1})`, { hint: count > 1 ? `use shard:0 .. shard:${count - 1}` : 'the database has a single shard: use primary or replica' }));
        }
      }
      if (input.message !== undefined && route.kind !== 'block') {
        warnings.push(ruleDiagnostic('W_RULE_MESSAGE_IGNORED', at, 'message', `\`message\` is only used with route = "block"; rule \`${input.name}\` routes to ${input.route}`, { hint: 'remove `message`, or set route = "block"' }));
      }
    }
    if (errors.length === before && parsed.expr && !isRouteProblem(route)) rules.push(makeCompiledRule(index, input, parsed.expr, route));
  });

  if (opts.analyze !== false) {
    const analysis = analyzeRules(rules, { maxTerms: opts.maxTerms, maxSteps: opts.maxSteps });
    warnings.push(...analysis.warnings);
    warnings.sort((a, b) => a.rule - b.rule);
  }
  return { rules, errors, warnings };
}
