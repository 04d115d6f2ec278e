// Which function calls are aggregates, and which of them the merger can combine from per-shard
// partials. Built-in aggregate names are PostgreSQL facts (pg_proc.prokind = 'a', PG 15-18);
// a user-defined aggregate cannot be recognized without the catalog (see README).
import { functionName, type AnyNode } from './parse-nodes.js';
import type { AggregateFunction } from './plan-types.js';

const BUILTIN_AGGREGATES: ReadonlySet<string> = new Set([
  'any_value', 'array_agg', 'avg', 'bit_and', 'bit_or', 'bit_xor', 'bool_and', 'bool_or', 'corr', 'count',
  'covar_pop', 'covar_samp', 'cume_dist', 'dense_rank', 'every', 'json_agg', 'json_agg_strict',
  'json_arrayagg', 'json_objectagg', 'json_object_agg', 'json_object_agg_strict', 'json_object_agg_unique',
  'json_object_agg_unique_strict', 'jsonb_agg', 'jsonb_agg_strict', 'jsonb_object_agg',
  'jsonb_object_agg_strict', 'jsonb_object_agg_unique', 'jsonb_object_agg_unique_strict', 'max', 'min',
  'mode', 'percent_rank', 'percentile_cont', 'percentile_disc', 'range_agg', 'range_intersect_agg', 'rank',
  'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept', 'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy',
  'regr_syy', 'stddev', 'stddev_pop', 'stddev_samp', 'string_agg', 'sum', 'var_pop', 'var_samp', 'variance',
  'xmlagg',
]);

const COMBINABLE: ReadonlySet<string> = new Set(['count', 'sum', 'min', 'max', 'avg']);

/** The call is an aggregate (by name or by aggregate-only syntax), and not a window call. */
export function isAggregateCall(call: AnyNode): boolean {
  if (call['over'] !== undefined) return false;
  const { name, schema } = functionName(call);
  if (schema !== null && schema !== 'pg_catalog') {
    return call['agg_star'] === true || call['agg_distinct'] === true || call['agg_within_group'] === true || call['agg_filter'] !== undefined;
  }
  return BUILTIN_AGGREGATES.has(name) || call['agg_star'] === true || call['agg_distinct'] === true ||
    call['agg_within_group'] === true || call['agg_filter'] !== undefined;
}

export type AggregateClass =
  | { kind: 'combinable'; fn: AggregateFunction }
  | { kind: 'refused'; feature: string };

/** For an aggregate call: can the merger combine its partials? */
export function classifyAggregate(call: AnyNode): AggregateClass {
  const { name, schema } = functionName(call);
  if ((schema !== null && schema !== 'pg_catalog') || !COMBINABLE.has(name)) {
    return { kind: 'refused', feature: `aggregate ${name}()` };
  }
  if (call['agg_within_group'] === true) return { kind: 'refused', feature: `${name}() WITHIN GROUP` };
  // min/max of the distinct values equal min/max of all values; the others would count twice.
  if (call['agg_distinct'] === true && name !== 'min' && name !== 'max') {
    return { kind: 'refused', feature: `${name}(DISTINCT ...)` };
  }
  const args = call['args'] as unknown[] | undefined;
  if (call['agg_star'] !== true && (args === undefined || args.length !== 1)) {
    return { kind: 'refused', feature: `${name}() with ${args?.length ?? 0} arguments` };
  }
  return { kind: 'combinable', fn: name as AggregateFunction };
}
