// The sharding-key formula of a statement. The analysis does not know which columns are sharded,
// so it cannot flatten WHERE into "a set of keys": `id = 1 OR name = 'x'` restricts nothing if
// only `id` is sharded, but restricts to two keys if both are. It keeps the AND/OR structure
// over key candidates instead, and the router evaluates it with its own notion of a key.
import type { KeyExpr } from './types.js';

export const ALL: KeyExpr = Object.freeze({ op: 'all' });

export function keyRef(key: number): KeyExpr {
  return { op: 'key', key };
}

/** Conjunction. `all` is neutral; nested ANDs are flattened. */
export function and(args: readonly KeyExpr[]): KeyExpr {
  const out: KeyExpr[] = [];
  for (const a of args) {
    if (a.op === 'all') continue;
    if (a.op === 'and') out.push(...a.args);
    else out.push(a);
  }
  if (out.length === 0) return ALL;
  return out.length === 1 ? out[0]! : { op: 'and', args: out };
}

/** Disjunction. `all` absorbs; nested ORs are flattened. */
export function or(args: readonly KeyExpr[]): KeyExpr {
  const out: KeyExpr[] = [];
  for (const a of args) {
    if (a.op === 'all') return ALL;
    if (a.op === 'or') out.push(...a.args);
    else out.push(a);
  }
  if (out.length === 0) return ALL;
  return out.length === 1 ? out[0]! : { op: 'or', args: out };
}

/**
 * Evaluates a key formula to the set of shards the statement's rows can be on; `null` means
 * "all shards". `leaf(i)` gives the shards for key candidate `i`, or null when that candidate is
 * not a sharding key (not a configured column, or a value that cannot be hashed).
 *
 * AND intersects (rows satisfy every conjunct, so they lie in every conjunct's shards; an empty
 * result means no row can match). OR unions, and any unrestricted branch makes it unrestricted.
 */
export function evalKeyExpr(
  expr: KeyExpr,
  leaf: (key: number) => ReadonlySet<number> | null,
): Set<number> | null {
  switch (expr.op) {
    case 'all':
      return null;
    case 'key': {
      const s = leaf(expr.key);
      return s === null ? null : new Set(s);
    }
    case 'and': {
      let acc: Set<number> | null = null;
      for (const a of expr.args) {
        const s = evalKeyExpr(a, leaf);
        if (s === null) continue;
        if (acc === null) acc = s;
        else for (const v of acc) if (!s.has(v)) acc.delete(v);
      }
      return acc;
    }
    case 'or': {
      const acc = new Set<number>();
      for (const a of expr.args) {
        const s = evalKeyExpr(a, leaf);
        if (s === null) return null;
        for (const v of s) acc.add(v);
      }
      return acc;
    }
  }
}
