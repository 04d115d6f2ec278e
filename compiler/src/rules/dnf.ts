// Rule expressions as propositional formulas over atoms, and their disjunctive normal form with
// a hard size bound. Every product prunes terms that satisfiable.ts proves impossible, so the
// forms stay small in practice; when the bound or the step budget is exceeded the result is
// `null` and the caller skips the check (a missing warning, never a wrong one).

import type { RuleExpr, RuleField, StatementKind } from './ast.js';
import { isSatisfiable } from './satisfiable.js';
import { regexFlags } from './vocabulary.js';

export type Atom =
  | { k: 'kind'; kind: StatementKind; key: string }
  | { k: 'write' | 'locking' | 'in_transaction'; key: string }
  /** Scalar field: its value is one of `values`. Set field (table, calls): some element matches one. */
  | { k: 'values'; field: RuleField | 'calls'; values: readonly string[]; key: string }
  /** Scalar field: the value matches. Set field: some element matches. */
  | { k: 'regex'; field: RuleField; re: RegExp; key: string };

export interface Literal {
  atom: Atom;
  neg: boolean;
  key: string;
}

export type Term = readonly Literal[];
export type Formula = Literal | { op: 'and' | 'or'; items: Formula[] };

export interface Budget {
  /** Term merges left before the analysis gives up. */
  steps: number;
  /** Largest DNF kept. */
  maxTerms: number;
}

export function literal(atom: Atom, neg: boolean): Literal {
  return { atom, neg, key: (neg ? '!' : '') + atom.key };
}

export function valuesAtom(field: RuleField | 'calls', values: readonly string[]): Atom {
  const sorted = [...new Set(values)].sort();
  return { k: 'values', field, values: sorted, key: `${field} in ${JSON.stringify(sorted)}` };
}

/** The expression (or its negation when `negated`) with negations pushed down to the atoms. */
export function toFormula(e: RuleExpr, negated = false): Formula {
  switch (e.type) {
    case 'or':
    case 'and': {
      const items = e.items.map((i) => toFormula(i, negated));
      // De Morgan: a negated `and` is an `or` of negations.
      const op = (e.type === 'and') !== negated ? 'and' : 'or';
      return { op, items };
    }
    case 'not':
      return toFormula(e.item, !negated);
    case 'flag':
      switch (e.flag) {
        case 'read':
          return literal({ k: 'write', key: 'write' }, !negated);
        case 'write':
        case 'locking':
        case 'in_transaction':
          return literal({ k: e.flag, key: e.flag }, negated);
        default:
          return literal({ k: 'kind', kind: e.flag, key: `kind=${e.flag}` }, negated);
      }
    case 'compare':
      return literal(valuesAtom(e.field, e.values), (e.op === '!=' || e.op === 'not in') !== negated);
    case 'regex': {
      const flags = regexFlags(e.ignoreCase);
      const atom: Atom = { k: 'regex', field: e.field, re: new RegExp(e.pattern, flags), key: `${e.field} ~/${e.pattern}/${flags}` };
      return literal(atom, e.negated !== negated);
    }
    case 'calls':
      return literal(valuesAtom('calls', e.names), negated);
  }
}

function termKey(t: Term): string {
  return t.map((l) => l.key).sort().join('\u0000');
}

/** Conjunction of two DNFs, dropping impossible and duplicate terms. */
export function conjoin(a: readonly Term[], b: readonly Term[], budget: Budget): Term[] | null {
  const out: Term[] = [];
  const seen = new Set<string>();
  for (const x of a) {
    for (const y of b) {
      if (--budget.steps < 0) return null;
      const keys = new Set(x.map((l) => l.key));
      const merged = [...x];
      for (const l of y) if (!keys.has(l.key)) merged.push(l);
      if (!isSatisfiable(merged)) continue;
      const k = termKey(merged);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(merged);
      if (out.length > budget.maxTerms) return null;
    }
  }
  return out;
}

export function toDnf(f: Formula, budget: Budget): Term[] | null {
  if (!('op' in f)) return isSatisfiable([f]) ? [[f]] : [];
  if (f.op === 'or') {
    const out: Term[] = [];
    const seen = new Set<string>();
    for (const item of f.items) {
      const d = toDnf(item, budget);
      if (d === null) return null;
      for (const t of d) {
        const k = termKey(t);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(t);
        }
      }
      if (out.length > budget.maxTerms) return null;
    }
    return out;
  }
  let acc: Term[] | null = [[]];
  for (const item of f.items) {
    const d = toDnf(item, budget);
    if (d === null) return null;
    acc = conjoin(acc, d, budget);
    if (acc === null) return null;
    if (acc.length === 0) return acc;
  }
  return acc;
}
