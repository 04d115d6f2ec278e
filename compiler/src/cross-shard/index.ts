// Public surface of cross-shard planning (re-exported by the package entry).
export { planCrossShardSelect } from './plan-select.js';
export type {
  AggregateColumn, AggregateFunction, AggregatePlan, ColumnPos, ComparisonOperator, CrossShardOptions,
  CrossShardOutcome, CrossShardPlan, CrossShardRefusal, HavingExpr, HavingOperand, LimitValue, SortKey,
} from './plan-types.js';
