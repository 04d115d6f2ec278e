// The copy of a parsed document that JSON Schema sees. Two TOML values have no JSON counterpart:
// integers beyond 2^53 (kept exact as bigint by the parser) and dates. The schema judges a bigint
// as the number it approximates (type and range checks stay right); a date becomes a value no
// JSON type accepts, so it fails wherever it appears. The bigints are put back afterwards.

import { childPointer, parsePointer } from './pointer.js';

const TOML_DATE = Symbol('toml-date');

export interface ValidationView {
  data: unknown;
  /** Pointers of bigint values, to restore them in the normalized config. */
  bigints: Map<string, bigint>;
}

export function validationView(doc: unknown): ValidationView {
  const bigints = new Map<string, bigint>();
  const copy = (v: unknown, at: string): unknown => {
    if (typeof v === 'bigint') {
      bigints.set(at, v);
      return Number(v);
    }
    if (v instanceof Date) return TOML_DATE;
    if (Array.isArray(v)) return v.map((x, i) => copy(x, childPointer(at, i)));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x, childPointer(at, k))]));
    }
    return v;
  };
  return { data: copy(doc, ''), bigints };
}

export function restoreBigints(doc: unknown, bigints: ReadonlyMap<string, bigint>): void {
  for (const [pointer, value] of bigints) {
    const parts = parsePointer(pointer);
    const last = parts.pop();
    let cur: unknown = doc;
    for (const p of parts) cur = (cur as Record<string, unknown> | undefined)?.[p];
    if (cur !== null && typeof cur === 'object' && last !== undefined) (cur as Record<string, unknown>)[last] = value;
  }
}
