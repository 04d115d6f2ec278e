// LIMIT / OFFSET of a cross-shard SELECT. Each shard must return the first limit+offset rows of
// its part (any of them can be in the global window) and skip none; the merger applies OFFSET and
// LIMIT to the merged stream. Bind parameters stay parameters, so the shard statement takes the
// same Bind as the client's.
import type { AnyNode } from './parse-nodes.js';
import type { LimitValue } from './plan-types.js';

export type LimitParse = { ok: true; value: LimitValue | null } | { ok: false; feature: string };

export function limitValue(node: AnyNode | undefined, clause: 'LIMIT' | 'OFFSET'): LimitParse {
  if (node === undefined) return { ok: true, value: null };
  let n = node;
  // `LIMIT $1::int`: the merger reads the parameter; the cast only picks its type.
  if ('TypeCast' in n) {
    const arg = (n['TypeCast'] as AnyNode)['arg'] as AnyNode;
    if ('ParamRef' in arg) n = arg;
  }
  if ('ParamRef' in n) return { ok: true, value: { kind: 'param', index: Number((n['ParamRef'] as AnyNode)['number']) } };
  const c = n['A_Const'] as AnyNode | undefined;
  if (c !== undefined) {
    if (c['isnull'] === true) return { ok: true, value: null };
    if (c['ival'] !== undefined) {
      return { ok: true, value: { kind: 'literal', value: String((c['ival'] as AnyNode)['ival'] ?? 0) } };
    }
    // Integers beyond int32 arrive as Float nodes.
    const f = (c['fval'] as AnyNode | undefined)?.['fval'];
    if (typeof f === 'string' && /^-?\d+$/.test(f)) return { ok: true, value: { kind: 'literal', value: BigInt(f).toString() } };
  }
  return { ok: false, feature: `${clause} with an expression other than an integer or a parameter` };
}

/** The shard's `LIMIT ...` (or '' for none) given the client's limit and offset. */
export function shardLimitClause(limit: LimitValue | null, offset: LimitValue | null): string {
  if (limit === null) {
    // The parameter must stay referenced: a Parse whose text no longer mentions $n would reject
    // the client's Bind. 0 * NULL is NULL, which OFFSET reads as 0.
    return offset?.kind === 'param' ? `OFFSET (0 * $${offset.index}::bigint)` : '';
  }
  if (limit.kind === 'literal' && (offset === null || offset.kind === 'literal')) {
    const sum = BigInt(limit.value) + BigInt(offset?.value ?? '0');
    // A negative literal is left for the shards to reject as PostgreSQL would.
    return `LIMIT ${BigInt(limit.value) < 0n || (offset !== null && BigInt(offset.value) < 0n) ? limit.value : sum.toString()}`;
  }
  const l = limit.kind === 'param' ? `$${limit.index}::bigint` : limit.value;
  // LIMIT NULL means no limit, so a NULL limit parameter keeps meaning that; a NULL offset is 0.
  const o = offset === null ? '' : offset.kind === 'param' ? ` + coalesce($${offset.index}::bigint, 0)` : ` + ${offset.value}`;
  return `LIMIT (${l}${o})`;
}
