// Combines one aggregate's per-shard partials into the value one database would have returned,
// encoded in the column's format. Combination follows PostgreSQL's own combine functions:
// count and int sums add as int8, numeric sums add exactly with the larger scale, float sums add
// in float (as a parallel aggregate would), min/max keep the extreme by the type's ordering, and
// avg divides the summed sum by the summed count with numeric_div's scale.
import type { AggregateFunction } from '@pgdog/compiler';
import { columnType, Oid, typeName, type ColumnType } from './column-types.js';
import { addDecimal, divideForAverage, formatDecimal, parseDecimal, type Decimal } from './decimal.js';
import { formatFloat4, formatFloat8 } from './float-text.js';
import { MergeError, MergeSqlState } from './merge-error.js';
import { readNumericBinary, writeNumericBinary } from './numeric-binary.js';

export interface ColumnFormat {
  readonly typeOid: number;
  readonly format: number;
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function unsupported(what: string, col: ColumnFormat): MergeError {
  return new MergeError(MergeSqlState.FeatureNotSupported, `${what} over ${typeName(col.typeOid)} is not supported in a query that spans several shards`);
}

function readInt8(v: Buffer, format: number): bigint {
  return format === 1 ? v.readBigInt64BE(0) : BigInt(v.toString('latin1'));
}

function encodeInt8(n: bigint, format: number): Buffer {
  if (n < INT8_MIN || n > INT8_MAX) throw new MergeError(MergeSqlState.NumericValueOutOfRange, 'bigint out of range');
  if (format !== 1) return Buffer.from(n.toString(), 'latin1');
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

function readDecimal(v: Buffer, format: number): Decimal {
  if (format === 1) return readNumericBinary(v);
  const d = parseDecimal(v.toString('latin1'));
  if (d === null) throw new MergeError(MergeSqlState.InternalError, `invalid numeric partial from a shard: ${v.toString('latin1')}`);
  return d;
}

function encodeDecimal(d: Decimal, format: number): Buffer {
  return format === 1 ? writeNumericBinary(d) : Buffer.from(formatDecimal(d), 'latin1');
}

function readFloat(v: Buffer, col: ColumnFormat): number {
  if (col.format === 1) return col.typeOid === Oid.Float4 ? v.readFloatBE(0) : v.readDoubleBE(0);
  const s = v.toString('latin1');
  return s === 'NaN' ? NaN : Number(s);
}

function encodeFloat(x: number, col: ColumnFormat): Buffer {
  const float4 = col.typeOid === Oid.Float4;
  if (col.format !== 1) return Buffer.from(float4 ? formatFloat4(x) : formatFloat8(x), 'latin1');
  const b = Buffer.alloc(float4 ? 4 : 8);
  if (float4) b.writeFloatBE(x);
  else b.writeDoubleBE(x);
  return b;
}

/** One group's running combination of one aggregate. */
export interface AggregateState {
  /** Adds one shard's partial row (values at the aggregate's columns; null = SQL NULL). */
  add(partial: Buffer | null, sum: Buffer | null, count: Buffer | null): void;
  /** The combined value in the output column's type and format, or null. */
  result(): Buffer | null;
}

export interface AggregateColumns {
  readonly value: ColumnFormat;
  readonly sum: ColumnFormat | null;
  readonly count: ColumnFormat | null;
}

/** Checks the types once per statement (at RowDescription) and returns a state factory. */
export function aggregateStateFactory(fn: AggregateFunction, cols: AggregateColumns): () => AggregateState {
  const col = cols.value;
  switch (fn) {
    case 'count':
      // count(...)::int / ::smallint / ::numeric: every shard's cast count is exact, so their sum
      // is the cast of the total (out of range exactly when PostgreSQL's cast would be).
      if (col.typeOid === Oid.Int8) return () => new IntSum(col.format, 0n);
      if (col.typeOid === Oid.Int4) return () => new IntSum(col.format, 0n, 4);
      if (col.typeOid === Oid.Int2) return () => new IntSum(col.format, 0n, 2);
      if (col.typeOid === Oid.Numeric) return () => new NumericSum(col.format);
      throw unsupported('count', col);
    case 'sum':
      if (col.typeOid === Oid.Int8) return () => new IntSum(col.format, null);
      if (col.typeOid === Oid.Numeric) return () => new NumericSum(col.format);
      if (col.typeOid === Oid.Float4 || col.typeOid === Oid.Float8) return () => new FloatSum(col);
      throw unsupported('sum', col);
    case 'min':
    case 'max': {
      const type = columnType(col.typeOid, col.format);
      if (type === null) throw unsupported(fn, col);
      return () => new Extreme(type, fn === 'min' ? -1 : 1);
    }
    case 'avg': {
      const { sum, count } = cols;
      if (sum === null || count === null || count.typeOid !== Oid.Int8) throw unsupported('avg', col);
      if (col.typeOid === Oid.Numeric && (sum.typeOid === Oid.Int8 || sum.typeOid === Oid.Numeric)) {
        return () => new NumericAverage(col.format, sum, count.format);
      }
      if (col.typeOid === Oid.Float8) return () => new FloatAverage(col, count.format);
      throw unsupported('avg', col);
    }
  }
}

class IntSum implements AggregateState {
  private total: bigint | null;
  constructor(private readonly format: number, initial: bigint | null, private readonly width: 2 | 4 | 8 = 8) {
    this.total = initial;
  }
  add(partial: Buffer | null): void {
    if (partial !== null) this.total = (this.total ?? 0n) + readInt(partial, this.format);
  }
  result(): Buffer | null {
    if (this.total === null) return null;
    return this.width === 8 ? encodeInt8(this.total, this.format) : encodeNarrowInt(this.total, this.format, this.width);
  }
}

/** An integer of any width: binary by its length, text as written. */
function readInt(v: Buffer, format: number): bigint {
  if (format !== 1) return BigInt(v.toString('latin1'));
  return v.length === 8 ? v.readBigInt64BE(0) : BigInt(v.length === 4 ? v.readInt32BE(0) : v.readInt16BE(0));
}

function encodeNarrowInt(n: bigint, format: number, width: 2 | 4): Buffer {
  const limit = width === 4 ? 2147483648n : 32768n;
  if (n < -limit || n >= limit) throw new MergeError(MergeSqlState.NumericValueOutOfRange, width === 4 ? 'integer out of range' : 'smallint out of range');
  if (format !== 1) return Buffer.from(n.toString(), 'latin1');
  const b = Buffer.alloc(width);
  if (width === 4) b.writeInt32BE(Number(n));
  else b.writeInt16BE(Number(n));
  return b;
}

class NumericSum implements AggregateState {
  private total: Decimal | null = null;
  constructor(private readonly format: number) {}
  add(partial: Buffer | null): void {
    if (partial === null) return;
    const d = readDecimal(partial, this.format);
    this.total = this.total === null ? d : addDecimal(this.total, d);
  }
  result(): Buffer | null {
    return this.total === null ? null : encodeDecimal(this.total, this.format);
  }
}

class FloatSum implements AggregateState {
  private total: number | null = null;
  constructor(private readonly col: ColumnFormat) {}
  add(partial: Buffer | null): void {
    if (partial === null) return;
    const x = readFloat(partial, this.col);
    const t = (this.total ?? 0) + x;
    this.total = this.col.typeOid === Oid.Float4 ? Math.fround(t) : t;
  }
  result(): Buffer | null {
    return this.total === null ? null : encodeFloat(this.total, this.col);
  }
}

class Extreme implements AggregateState {
  private best: Buffer | null = null;
  private bestKey: unknown = null;
  constructor(private readonly type: ColumnType, private readonly direction: -1 | 1) {}
  add(partial: Buffer | null): void {
    if (partial === null) return;
    const key = this.type.decode(partial);
    if (this.best === null || this.type.compare(key, this.bestKey) * this.direction > 0) {
      this.best = partial;
      this.bestKey = key;
    }
  }
  result(): Buffer | null {
    return this.best;
  }
}

class NumericAverage implements AggregateState {
  private sum: Decimal | null = null;
  private count = 0n;
  constructor(private readonly format: number, private readonly sumCol: ColumnFormat, private readonly countFormat: number) {}
  add(_partial: Buffer | null, sum: Buffer | null, count: Buffer | null): void {
    if (count !== null) this.count += readInt8(count, this.countFormat);
    if (sum === null) return;
    const d = this.sumCol.typeOid === Oid.Int8
      ? { kind: 'finite' as const, unscaled: readInt8(sum, this.sumCol.format), scale: 0 }
      : readDecimal(sum, this.sumCol.format);
    this.sum = this.sum === null ? d : addDecimal(this.sum, d);
  }
  result(): Buffer | null {
    if (this.sum === null || this.count === 0n) return null;
    return encodeDecimal(divideForAverage(this.sum, this.count), this.format);
  }
}

/** Float averages re-weight each shard's own average by its count (its float8 sum, as
 *  float8_combine would add it), which also covers real columns whose sum() is only float4. */
class FloatAverage implements AggregateState {
  private total = 0;
  private count = 0n;
  constructor(private readonly col: ColumnFormat, private readonly countFormat: number) {}
  add(partial: Buffer | null, _sum: Buffer | null, count: Buffer | null): void {
    if (partial === null || count === null) return;
    const n = readInt8(count, this.countFormat);
    this.total += readFloat(partial, this.col) * Number(n);
    this.count += n;
  }
  result(): Buffer | null {
    return this.count === 0n ? null : encodeFloat(this.total / Number(this.count), this.col);
  }
}
