// Can one statement make every literal of a conjunction true? Answers `false` only when that is
// certain; anything this module cannot reason about counts as satisfiable.
//
// Facts relied on (SPEC §3.2 and the analyzer's contract):
// - A statement has exactly one kind, so two different kind flags exclude each other.
// - `read` is `not write`.
// - insert, update, delete and ddl statements are writes; `locking` implies `write`.
//   (copy is not assumed either way: COPY TO reads. select may write through nextval() etc.)
// - user, database, application_name, query, fingerprint have one value each.
// - table and calls are sets: `table = 'a' and table = 'b'` holds for a join.
// - in_transaction is independent of everything else.

import type { StatementKind } from './ast.js';
import type { Literal } from './dnf.js';
import { patternCovers, regexCoversPattern } from './names.js';

const WRITE_KINDS: ReadonlySet<StatementKind> = new Set(['insert', 'update', 'delete', 'ddl']);

interface FieldState {
  /** Intersection of positive value lists (scalar fields), or null if there is none. */
  allowed: Set<string> | null;
  excluded: Set<string>;
  /** Set fields: each positive `in` list, kept apart (different elements may satisfy each). */
  required: (readonly string[])[];
  posRe: RegExp[];
  negRe: RegExp[];
  regexPolarity: Map<string, boolean>;
}

function fieldState(): FieldState {
  return { allowed: null, excluded: new Set(), required: [], posRe: [], negRe: [], regexPolarity: new Map() };
}

const SET_FIELDS = new Set(['table', 'calls']);

export function isSatisfiable(term: readonly Literal[]): boolean {
  let kind: StatementKind | null = null;
  const notKinds = new Set<StatementKind>();
  const bools = new Map<string, boolean>();
  const fields = new Map<string, FieldState>();

  for (const { atom, neg } of term) {
    switch (atom.k) {
      case 'kind':
        if (neg) notKinds.add(atom.kind);
        else if (kind !== null && kind !== atom.kind) return false;
        else kind = atom.kind;
        break;
      case 'write':
      case 'locking':
      case 'in_transaction': {
        const prev = bools.get(atom.k);
        if (prev !== undefined && prev === neg) return false;
        bools.set(atom.k, !neg);
        break;
      }
      case 'values': {
        let s = fields.get(atom.field);
        if (!s) fields.set(atom.field, (s = fieldState()));
        if (neg) for (const v of atom.values) s.excluded.add(v);
        else if (SET_FIELDS.has(atom.field)) s.required.push(atom.values);
        else s.allowed = s.allowed === null ? new Set(atom.values) : new Set(atom.values.filter((v) => s!.allowed!.has(v)));
        break;
      }
      case 'regex': {
        let s = fields.get(atom.field);
        if (!s) fields.set(atom.field, (s = fieldState()));
        const prev = s.regexPolarity.get(atom.key);
        if (prev !== undefined && prev === neg) return false;
        s.regexPolarity.set(atom.key, !neg);
        (neg ? s.negRe : s.posRe).push(atom.re);
        break;
      }
    }
  }

  if (kind !== null && notKinds.has(kind)) return false;
  const mustWrite = (kind !== null && WRITE_KINDS.has(kind)) || bools.get('locking') === true;
  if (mustWrite && bools.get('write') === false) return false;

  for (const [field, s] of fields) {
    if (SET_FIELDS.has(field)) {
      // Some element must match each required list; it is impossible when every pattern of
      // a list is ruled out for all elements by the exclusions.
      const ruledOut = (p: string): boolean =>
        [...s.excluded].some((n) => patternCovers(n, p)) || (field === 'table' && s.negRe.some((re) => regexCoversPattern(re, p)));
      if (s.required.some((list) => list.every(ruledOut))) return false;
    } else if (s.allowed !== null) {
      const possible = [...s.allowed].some(
        (v) => !s.excluded.has(v) && s.posRe.every((re) => re.test(v)) && !s.negRe.some((re) => re.test(v)),
      );
      if (!possible) return false;
    }
  }
  return true;
}
