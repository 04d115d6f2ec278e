// Static analysis of a rule list: rules that can never match (contradictions, including their
// database/user scope) and rules that earlier rules always take first. Both are reduced to
// "is this DNF empty?" over atoms (dnf.ts, satisfiable.ts), so a warning is only given when it is
// certain; when a form gets too big the check is skipped for that rule.
//
// Order follows SPEC §3.2: block rules are checked before everything else, then the other rules
// in file order. So a block rule is shadowed only by earlier block rules, while any other rule is
// shadowed by earlier non-block rules and by block rules wherever they are in the file.

import type { RuleExpr, RuleRoute } from './ast.js';
import { ruleDiagnostic, type RuleDiagnostic } from './diagnostics.js';
import { conjoin, literal, toDnf, toFormula, valuesAtom, type Budget, type Formula, type Term } from './dnf.js';

export interface AnalyzableRule {
  index: number;
  name: string;
  database?: string;
  user?: string;
  expr: RuleExpr;
  route: RuleRoute;
}

export interface AnalyzeOptions {
  /** Largest DNF (in terms) kept for one rule or one implication check. */
  maxTerms?: number;
  /** Term merges for the whole rule list; beyond it the remaining checks are skipped. */
  maxSteps?: number;
}

export interface AnalysisResult {
  warnings: RuleDiagnostic[];
  /** Indexes of rules for which a check was skipped because a form exceeded the bounds. */
  skipped: number[];
}

function scoped(r: AnalyzableRule, negated: boolean): Formula {
  const expr = toFormula(r.expr, negated);
  const scope: Formula[] = [];
  if (r.database !== undefined) scope.push(literal(valuesAtom('database', [r.database]), negated));
  if (r.user !== undefined) scope.push(literal(valuesAtom('user', [r.user]), negated));
  if (scope.length === 0) return expr;
  return { op: negated ? 'or' : 'and', items: [...scope, expr] };
}

function names(rules: AnalyzableRule[]): string {
  return rules.map((r) => `\`${r.name}\``).join(', ');
}

export function analyzeRules(rules: readonly AnalyzableRule[], opts: AnalyzeOptions = {}): AnalysisResult {
  const budget: Budget = { steps: opts.maxSteps ?? 2_000_000, maxTerms: opts.maxTerms ?? 256 };
  const warnings: RuleDiagnostic[] = [];
  const skipped = new Set<number>();
  const positive = new Map<number, Term[] | null>();
  const negative = new Map<number, Term[] | null>();
  // Each form gets its own term bound; all share the step budget.
  const dnf = (f: Formula): Term[] | null => toDnf(f, budget);
  const pos = (r: AnalyzableRule): Term[] | null => {
    if (!positive.has(r.index)) positive.set(r.index, dnf(scoped(r, false)));
    return positive.get(r.index)!;
  };
  const neg = (r: AnalyzableRule): Term[] | null => {
    if (!negative.has(r.index)) negative.set(r.index, dnf(scoped(r, true)));
    return negative.get(r.index)!;
  };

  /** Is every statement of `terms` matched by one of `by`? null: too big to tell. */
  const coveredBy = (terms: Term[], by: readonly AnalyzableRule[]): boolean | null => {
    let rest: Term[] | null = terms;
    for (const e of by) {
      const eNeg = neg(e);
      if (eNeg === null) continue;
      rest = conjoin(rest, eNeg, budget);
      if (rest === null) return null;
      if (rest.length === 0) return true;
    }
    return false;
  };

  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const terms = pos(rule);
    if (terms === null) {
      skipped.add(rule.index);
      continue;
    }
    if (terms.length === 0) {
      warnings.push(ruleDiagnostic('W_RULE_NEVER_MATCHES', rule, 'match', `rule \`${rule.name}\` can never match: its conditions${rule.database !== undefined || rule.user !== undefined ? ' and scope' : ''} contradict each other`, { hint: 'remove the rule or fix the condition' }));
      continue;
    }
    const isBlock = rule.route.kind === 'block';
    // Rules that get a statement before this one does (see the order note at the top).
    const ahead = rules.filter((e, j) => e !== rule && (e.route.kind === 'block' ? !isBlock || j < i : !isBlock && j < i));
    const overlapping: AnalyzableRule[] = [];
    let single: AnalyzableRule | undefined;
    let gaveUp = false;
    for (const e of ahead) {
      const ePos = pos(e);
      const both = ePos === null ? null : conjoin(terms, ePos, budget);
      if (both === null) {
        gaveUp = true;
        continue;
      }
      if (both.length === 0) continue;
      overlapping.push(e);
      const eNeg = neg(e);
      const rest = eNeg === null ? null : conjoin(terms, eNeg, budget);
      if (rest === null) gaveUp = true;
      else if (rest.length === 0) {
        single = e;
        break;
      }
    }
    let takers: AnalyzableRule[] | undefined = single ? [single] : undefined;
    if (!takers && overlapping.length > 1) {
      // Together, several earlier rules may cover everything this one matches.
      const covered = coveredBy(terms, overlapping);
      if (covered === null) gaveUp = true;
      else if (covered) {
        // Name only the rules that are needed: drop each one the others still cover without.
        let needed: AnalyzableRule[] = [...overlapping];
        for (const e of overlapping) {
          const without: AnalyzableRule[] = needed.filter((t) => t !== e);
          if (coveredBy(terms, without) === true) needed = without;
        }
        takers = needed;
      }
    }
    if (takers) {
      const blocked = !isBlock && takers.every((t) => t.route.kind === 'block');
      const how = blocked ? 'is blocked by' : 'is matched first by';
      const why = !isBlock && takers.some((t) => t.route.kind === 'block' && t.index > rule.index) ? ' (block rules are checked before all others)' : '';
      warnings.push(ruleDiagnostic('W_RULE_SHADOWED', rule, 'match', `rule \`${rule.name}\` never applies: every statement it matches ${how} ${takers.length === 1 ? 'rule' : 'rules'} ${names(takers)}${why}`, {
        hint: blocked ? 'narrow the block rule or remove this one' : 'move it above the earlier rule, narrow the earlier rule, or remove this one',
        related: takers.map((t) => t.index),
      }));
    } else if (gaveUp) skipped.add(rule.index);
  }
  return { warnings, skipped: [...skipped].sort((a, b) => a - b) };
}
