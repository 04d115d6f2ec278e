// Evaluates a plan's HAVING tree on a combined group row with SQL three-valued logic (null =
// unknown); a group is kept only when the result is true. Operands are compared in the type of
// the column side; constants and parameters are read as that type's text form.
import type { HavingExpr, HavingOperand } from '@pgdog/compiler';
import { compareDecimal, parseDecimal } from './decimal.js';
import type { MergeColumns } from './merge-columns.js';
import { MergeError, MergeSqlState } from './merge-error.js';

export interface HavingContext {
  readonly columns: MergeColumns;
  /** Absolute index of a plan column position. */
  readonly at: (pos: HavingOperand & { kind: 'column' }) => number;
  readonly params: readonly (string | null)[];
}

export function evaluateHaving(e: HavingExpr, row: readonly (Buffer | null)[], ctx: HavingContext): boolean | null {
  switch (e.op) {
    case 'and': {
      let result: boolean | null = true;
      for (const a of e.args) {
        const v = evaluateHaving(a, row, ctx);
        if (v === false) return false;
        if (v === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: boolean | null = false;
      for (const a of e.args) {
        const v = evaluateHaving(a, row, ctx);
        if (v === true) return true;
        if (v === null) result = null;
      }
      return result;
    }
    case 'not': {
      const v = evaluateHaving(e.arg, row, ctx);
      return v === null ? null : !v;
    }
    case 'is_null':
    case 'is_not_null': {
      const isNull = operandBytes(e.arg, row, ctx) === null;
      return e.op === 'is_null' ? isNull : !isNull;
    }
    case 'compare': {
      const c = compareOperands(e.left, e.right, row, ctx);
      if (c === null) return null;
      switch (e.operator) {
        case '=': return c === 0;
        case '<>': return c !== 0;
        case '<': return c < 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        case '>=': return c >= 0;
      }
    }
  }
}

function operandBytes(o: HavingOperand, row: readonly (Buffer | null)[], ctx: HavingContext): Buffer | null {
  if (o.kind === 'column') return row[ctx.at(o)] ?? null;
  const text = o.kind === 'literal' ? o.text : ctx.params[o.index - 1] ?? null;
  return text === null ? null : Buffer.from(text, 'utf8');
}

function compareOperands(l: HavingOperand, r: HavingOperand, row: readonly (Buffer | null)[], ctx: HavingContext): number | null {
  const a = operandBytes(l, row, ctx);
  const b = operandBytes(r, row, ctx);
  if (a === null || b === null) return null;
  const typed = l.kind === 'column' ? l : r.kind === 'column' ? r : null;
  if (typed === null) {
    const x = parseDecimal(a.toString('latin1'));
    const y = parseDecimal(b.toString('latin1'));
    return x !== null && y !== null ? compareDecimal(x, y) : Buffer.compare(a, b);
  }
  const index = ctx.at(typed);
  const type = ctx.columns.typeAt(index);
  if (type === null || !ctx.columns.textComparable(index)) {
    throw new MergeError(MergeSqlState.FeatureNotSupported, 'HAVING on a column of this type and format is not supported in a query that spans several shards');
  }
  const left = l.kind === 'column' ? type.decode(a) : decodeConstant(a, index, ctx);
  const right = r.kind === 'column' ? type.decode(b) : decodeConstant(b, index, ctx);
  return type.compare(left, right);
}

function decodeConstant(bytes: Buffer, index: number, ctx: HavingContext): unknown {
  // Constants are text: read them with the text codec of the column's type, whose keys
  // compare with the column's own (textComparable says so for binary columns).
  const textType = ctx.columns.textTypeAt(index)!;
  try {
    return textType.decode(bytes);
  } catch {
    throw new MergeError(MergeSqlState.DatatypeMismatch, `invalid constant in HAVING: ${bytes.toString('utf8')}`);
  }
}
