// The merge plan of a cross-shard SELECT: plain JSON data, so the router can cache it next to the
// route and the runtime's merger can run it without the parser.

/** A column of the rows the shards return. Visible columns are addressed from the start, or back
 *  from the last visible column when a `*` before them makes their position unknown until the
 *  RowDescription arrives; hidden columns (appended for the merge, stripped for the client) by
 *  their order among the hidden ones. */
export type ColumnPos =
  | { readonly kind: 'start'; readonly index: number }
  | { readonly kind: 'end'; readonly index: number }
  | { readonly kind: 'hidden'; readonly index: number };

export interface SortKey {
  readonly column: ColumnPos;
  readonly descending: boolean;
  /** PostgreSQL's default: NULLS LAST for ASC, NULLS FIRST for DESC. */
  readonly nullsFirst: boolean;
}

/** A LIMIT / OFFSET value: a literal (decimal text, may be negative), a Bind parameter, or
 *  null (`LIMIT ALL`, `LIMIT NULL`, no clause). */
export type LimitValue =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly index: number };

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max' | 'avg';

export interface AggregateColumn {
  readonly fn: AggregateFunction;
  /** The column holding the shard's partial (for avg: the shard's own average). */
  readonly column: ColumnPos;
  /** avg only: hidden `sum(arg)` and `count(arg)` partials. */
  readonly sum: ColumnPos | null;
  readonly count: ColumnPos | null;
}

export type HavingOperand =
  | { readonly kind: 'column'; readonly column: ColumnPos }
  | { readonly kind: 'literal'; readonly text: string | null }
  | { readonly kind: 'param'; readonly index: number };

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/** HAVING, evaluated by the merger on combined groups with SQL's three-valued logic. */
export type HavingExpr =
  | { readonly op: 'and' | 'or'; readonly args: readonly HavingExpr[] }
  | { readonly op: 'not'; readonly arg: HavingExpr }
  | { readonly op: 'compare'; readonly operator: ComparisonOperator; readonly left: HavingOperand; readonly right: HavingOperand }
  | { readonly op: 'is_null' | 'is_not_null'; readonly arg: HavingOperand };

export interface AggregatePlan {
  /** Columns whose values identify a group (visible or hidden). Empty: one group. */
  readonly groupBy: readonly ColumnPos[];
  readonly aggregates: readonly AggregateColumn[];
  readonly having: HavingExpr | null;
}

export interface CrossShardPlan {
  /** The statement every shard runs (the same text for all shards, same parameters). */
  readonly shardSql: string;
  /** Trailing columns of the shard rows that the client does not see. */
  readonly hiddenColumns: number;
  /** Sort keys, highest priority first; empty: any order. */
  readonly orderBy: readonly SortKey[];
  readonly limit: LimitValue | null;
  readonly offset: LimitValue | null;
  /** SELECT DISTINCT over the visible columns. */
  readonly distinct: boolean;
  /** GROUP BY / aggregates; null: rows are merged as the shards return them. */
  readonly aggregate: AggregatePlan | null;
  /** True when the shards' rows arrive sorted by `orderBy`, so the merge can stream. */
  readonly streaming: boolean;
}

/** Why a statement cannot be answered across shards. `feature` names the construct. */
export interface CrossShardRefusal {
  readonly feature: string;
  readonly message: string;
}

export type CrossShardOutcome =
  | { readonly ok: true; readonly plan: CrossShardPlan }
  | { readonly ok: false; readonly refusal: CrossShardRefusal };

export interface CrossShardOptions {
  /** Aggregates, DISTINCT, LIMIT, GROUP BY and window functions inside subqueries and CTEs run per
   *  shard, which is only right when the caller knows they are co-located (e.g. correlated on the
   *  sharding key). Default false: refused. */
  readonly allowNestedReductions?: boolean;
}
