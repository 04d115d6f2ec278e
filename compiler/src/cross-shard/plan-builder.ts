// State shared while one SELECT is planned: its text and tokens, what each select-list entry is,
// and the hidden columns appended for the merge.
import { classifyAggregate, isAggregateCall } from './aggregate-calls.js';
import { isStar, outputName, sameExpression, type AnyNode } from './parse-nodes.js';
import type { AggregateColumn, AggregateFunction, ColumnPos } from './plan-types.js';
import { tokenText, type Token } from './statement-tokens.js';

export class Refusal extends Error {
  constructor(readonly feature: string, message?: string) {
    super(message ?? `${feature} is not supported in a query that spans several shards`);
  }
}

export interface Target {
  readonly node: AnyNode;
  /** Expression text without the alias. */
  readonly text: string;
  readonly star: boolean;
  readonly name: string | null;
  /** Set for a combinable aggregate call. */
  readonly aggregate: AggregateFunction | null;
}

export class PlanBuilder {
  readonly hidden: string[] = [];
  readonly aggregates: AggregateColumn[] = [];

  constructor(
    readonly sql: string,
    readonly tokens: readonly Token[],
    readonly targets: readonly Target[],
  ) {}

  /** Where target i's value is in the shard rows, or null when stars on both sides hide it. */
  targetPos(i: number): ColumnPos | null {
    const t = this.targets;
    if (!t.slice(0, i).some((x) => x.star)) return { kind: 'start', index: i };
    if (!t.slice(i + 1).some((x) => x.star)) return { kind: 'end', index: t.length - 1 - i };
    return null;
  }

  /** A hidden column computing `text`; the same text is computed once. */
  hiddenPos(text: string): ColumnPos {
    let index = this.hidden.indexOf(text);
    if (index < 0) index = this.hidden.push(text) - 1;
    return { kind: 'hidden', index };
  }

  /** The select-list entry that is this expression (same tree), if any. */
  findTarget(node: AnyNode): number {
    return this.targets.findIndex((t) => !t.star && sameExpression(t.node['val'], node));
  }

  /** The entry whose output column is named `name` (ORDER BY's first rule). */
  findOutputName(name: string): number {
    return this.targets.findIndex((t) => !t.star && t.name === name);
  }

  /** Registers an aggregate whose partial is at `column`; avg also gets sum and count partials. */
  addAggregate(fn: AggregateFunction, column: ColumnPos, callText: string): AggregateColumn {
    const existing = this.aggregates.find((a) => sameColumn(a.column, column));
    if (existing !== undefined) return existing;
    let sum: ColumnPos | null = null;
    let count: ColumnPos | null = null;
    if (fn === 'avg') {
      const args = callText.slice(callText.indexOf('('));
      sum = this.hiddenPos(`sum${args}`);
      count = this.hiddenPos(`count${args}`);
    }
    const agg: AggregateColumn = { fn, column, sum, count };
    this.aggregates.push(agg);
    return agg;
  }

  /**
   * The column of an expression used by ORDER BY / GROUP BY / HAVING in an aggregate query: a
   * select-list entry, a hidden aggregate, or a hidden group-level expression.
   */
  aggregateQueryColumn(node: AnyNode, text: string): ColumnPos {
    const i = this.findTarget(node);
    if (i >= 0) {
      const pos = this.targetPos(i);
      if (pos !== null) return pos;
    }
    const call = node['FuncCall'] as AnyNode | undefined;
    if (call !== undefined && isAggregateCall(call)) {
      const c = classifyAggregate(call);
      if (c.kind === 'refused') throw new Refusal(c.feature);
      const pos = this.hiddenPos(text);
      this.addAggregate(c.fn, pos, text);
      return pos;
    }
    return this.hiddenPos(text);
  }
}

export function sameColumn(a: ColumnPos, b: ColumnPos): boolean {
  return a.kind === b.kind && a.index === b.index;
}

/** Types a count can be cast to without changing its value: the shards' cast counts add up. */
const EXACT_COUNT_TYPES = new Set(['int2', 'int4', 'int8', 'numeric']);

/**
 * `count(...)::int` (or CAST, to int2 / int4 / int8 / numeric): the count call, merged like a bare
 * count. Other aggregates under a cast stay refused: a cast sum or min/max is not the cast of the
 * combined value (numeric rounding, text ordering).
 */
function exactCountCast(val: AnyNode): AnyNode | undefined {
  const cast = val['TypeCast'] as AnyNode | undefined;
  const call = (cast?.['arg'] as AnyNode | undefined)?.['FuncCall'] as AnyNode | undefined;
  if (cast === undefined || call === undefined || !isAggregateCall(call)) return undefined;
  const c = classifyAggregate(call);
  if (c.kind === 'refused' || c.fn !== 'count') return undefined;
  const typeName = cast['typeName'] as AnyNode | undefined;
  const names = (typeName?.['names'] as AnyNode[] | undefined) ?? [];
  if (typeName?.['arrayBounds'] !== undefined) return undefined;
  const last = names[names.length - 1]?.['String'] as AnyNode | undefined;
  return typeof last?.['sval'] === 'string' && EXACT_COUNT_TYPES.has(last['sval'] as string) ? call : undefined;
}

/** Select-list entries from the parse tree and their token ranges (alias stripped). */
export function readTargets(
  sql: string, tokens: readonly Token[], nodes: readonly AnyNode[], items: readonly { first: number; end: number }[],
): Target[] {
  if (nodes.length !== items.length) throw new Refusal('select list', 'could not locate the select list in the query text');
  return nodes.map((n, i) => {
    const target = n['ResTarget'] as AnyNode;
    let { first, end } = items[i]!;
    if (typeof target['name'] === 'string') {
      end--; // the alias
      if (tokens[end - 1]?.keyword === 'as') end--;
    }
    const val = target['val'] as AnyNode;
    const call = (val['FuncCall'] as AnyNode | undefined) ?? exactCountCast(val);
    let aggregate: AggregateFunction | null = null;
    if (call !== undefined && isAggregateCall(call)) {
      const c = classifyAggregate(call);
      if (c.kind === 'refused') throw new Refusal(c.feature);
      aggregate = c.fn;
    }
    return { node: target, text: tokenText(sql, tokens, first, end), star: isStar(target), name: outputName(target), aggregate };
  });
}
