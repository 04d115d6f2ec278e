// A cached analysis with holes where literal values go. Built from a fresh analysis and the
// normalizer's literal spans of the same text; re-bound to another text with the same key
// without parsing.
//
// The only literal-derived data in an analysis are LiteralValues with a non-null `offset`
// (key values and SET values). Everything else follows from the key's significant tokens. The
// builder checks that claim on every analysis it caches (no other offset-bearing values; every
// value re-decodes from its token to exactly what the parser gave) and refuses to cache when it
// does not hold, so an analysis we cannot re-bind faithfully is simply re-parsed next time.
import type { KeyCandidate, LiteralValue, QueryAnalysis, SetInfo, StatementAnalysis } from './types.js';
import type { LiteralSpans } from './literal-spans.js';
import { LiteralKind, decodeStringToken } from './literal-decode.js';
import { literal, numberValue } from './literal-values.js';
import { Ch, isDigit } from './sql-scan.js';

const enum Sign { None = 0, Minus = 1, Plus = 2 }

interface Site {
  /** Index in `keys` or in `set.values`. */
  index: number;
  literal: number;
  sign: Sign;
}

interface StatementSites {
  statement: number;
  keys: Site[];
  setValues: Site[];
  /** The statement's key candidates and SET values in plain arrays: V8 reads frozen arrays
   *  several times slower, and these are copied on every bind. */
  candidates: KeyCandidate[];
  values: LiteralValue[];
}

export interface PlanTemplate {
  /** The analysis of the text the template was built from, deep-frozen. */
  readonly analysis: Extract<QueryAnalysis, { ok: true }>;
  readonly sites: readonly StatementSites[];
  /** analysis.statements as a plain array (see StatementSites.candidates). */
  readonly statements: StatementAnalysis[];
}

export function buildTemplate(analysis: QueryAnalysis, norm: LiteralSpans, text: string): PlanTemplate | null {
  if (!analysis.ok) return null;
  const sites: StatementSites[] = [];
  let bound = 0;
  for (let s = 0; s < analysis.statements.length; s++) {
    const st = analysis.statements[s]!;
    // COPY options (delimiter, null string...) and 2PC identifiers are literal text reported as
    // plain strings. DDL grammar checks some values while parsing (ALTER INDEX ... ALTER
    // COLUMN 0 is a syntax-time error), so a cached shape could accept what the parser
    // rejects. All three are rare on the hot path and stay uncached.
    if (st.kind === 'copy' || st.kind === 'ddl' || st.transaction?.gid != null) return null;
    const keys: Site[] = [];
    const setValues: Site[] = [];
    for (let i = 0; i < st.keys.length; i++) {
      const v = st.keys[i]!.value;
      if (v.kind !== 'literal' || v.offset === null) continue;
      const site = locate(v, i, norm, text);
      if (site === null) return null;
      keys.push(site);
    }
    const values = st.set?.values ?? [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v.offset === null) continue;
      const site = locate(v, i, norm, text);
      if (site === null) return null;
      setValues.push(site);
    }
    bound += keys.length + setValues.length;
    if (keys.length > 0 || setValues.length > 0) sites.push({ statement: s, keys, setValues, candidates: st.keys.slice(), values: values.slice() });
  }
  if (countOffsetLiterals(analysis) !== bound) return null;
  const statements = analysis.statements.slice();
  deepFreeze(analysis);
  return { analysis, sites, statements };
}

/** The analysis of `text` (same key as the template's) without parsing; null if a literal
 *  does not decode. */
export function bindTemplate(t: PlanTemplate, norm: LiteralSpans, text: string): QueryAnalysis | null {
  if (t.sites.length === 0) return t.analysis;
  const statements = t.statements.slice();
  for (const group of t.sites) {
    const st = statements[group.statement]!;
    let keys = st.keys;
    let set = st.set;
    if (group.keys.length > 0) {
      keys = group.candidates.slice();
      for (const site of group.keys) {
        const value = bindValue(site, norm, text);
        if (value === null) return null;
        keys[site.index] = withValue(keys[site.index]!, value);
      }
    }
    if (group.setValues.length > 0 && set !== null) {
      const values = group.values.slice();
      for (const site of group.setValues) {
        const value = bindValue(site, norm, text);
        if (value === null) return null;
        values[site.index] = value;
      }
      set = { action: set.action, name: set.name, values, local: set.local, hint: set.hint, modes: set.modes };
    }
    statements[group.statement] = withKeysAndSet(st, keys, set);
  }
  return { ok: true, statements, hints: t.analysis.hints };
}

// Explicit copies rather than object spread: spreading a frozen object takes V8's slow path,
// and this is the cache-hit hot path.
function withValue(k: KeyCandidate, value: LiteralValue): KeyCandidate {
  return { table: k.table, column: k.column, value, cast: k.cast, row: k.row, position: k.position };
}

function withKeysAndSet(st: StatementAnalysis, keys: KeyCandidate[], set: SetInfo | null): StatementAnalysis {
  return {
    kind: st.kind,
    node: st.node,
    explain: st.explain,
    write: st.write,
    locking: st.locking,
    tables: st.tables,
    calls: st.calls,
    keys,
    keyExpr: st.keyExpr,
    assigned: st.assigned,
    into: st.into,
    transaction: st.transaction,
    set,
    insert: st.insert,
    copy: st.copy,
    show: st.show,
  };
}

/** Finds the literal token a value came from and checks that it decodes to that value. */
function locate(v: LiteralValue, index: number, norm: LiteralSpans, text: string): Site | null {
  const offset = v.offset!;
  const k = firstLiteralAtOrAfter(norm, offset);
  if (k < 0) return null;
  let sign = Sign.None;
  if (norm.starts[k] !== offset) {
    // A folded sign: the parser points at `-` / `+`, the token is the number after it.
    const c = text.charCodeAt(offset);
    const kind = norm.kinds[k] as LiteralKind;
    const numeric = kind === LiteralKind.Int || kind === LiteralKind.BigInt || kind === LiteralKind.Numeric;
    if (!numeric || norm.before[k] !== offset || (c !== Ch.Minus && c !== Ch.Plus)) return null;
    sign = c === Ch.Minus ? Sign.Minus : Sign.Plus;
  }
  const site: Site = { index, literal: k, sign };
  const again = bindValue(site, norm, text);
  if (again === null || again.type !== v.type || again.text !== v.text || again.offset !== v.offset) {
    return null;
  }
  return site;
}

function firstLiteralAtOrAfter(norm: LiteralSpans, offset: number): number {
  let lo = 0;
  let hi = norm.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (norm.starts[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < norm.count ? lo : -1;
}

function bindValue(site: Site, norm: LiteralSpans, text: string): LiteralValue | null {
  const k = site.literal;
  const start = norm.starts[k]!;
  const end = norm.ends[k]!;
  const kind = norm.kinds[k]! as LiteralKind;
  if (kind === LiteralKind.Int || kind === LiteralKind.BigInt || kind === LiteralKind.Numeric) {
    const raw = text.slice(start, end);
    // The common key: a plain decimal int32 without leading zeros is already canonical.
    if (kind === LiteralKind.Int && site.sign !== Sign.Minus && isCanonicalDecimal(text, start, end)) {
      return literal('int', raw, site.sign === Sign.None ? start : norm.before[k]!);
    }
    const offset = site.sign === Sign.None ? start : norm.before[k]!;
    // A decimal or exponent form is kept as written (numberValue would only drop `_`).
    if (kind === LiteralKind.Numeric && !raw.includes('_')) return literal('numeric', site.sign === Sign.Minus ? `-${raw}` : raw, offset);
    const v = numberValue(site.sign === Sign.Minus ? `-${raw}` : raw);
    return literal(v.type, v.text, offset);
  }
  const s = decodeStringToken(text, start, end, kind);
  if (s === null) return null;
  const type = kind === LiteralKind.BitString || kind === LiteralKind.HexString ? 'bitstring' : 'string';
  return literal(type, s, start);
}

function isCanonicalDecimal(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start) === Ch.Zero) return end - start === 1;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** Number of literal values anywhere in the analysis that carry an offset. */
function countOffsetLiterals(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) n += countOffsetLiterals(v);
    return n;
  }
  const o = value as Record<string, unknown>;
  if (o.kind === 'literal' && typeof o.offset === 'number') return 1;
  let n = 0;
  for (const key in o) n += countOffsetLiterals(o[key]);
  return n;
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

