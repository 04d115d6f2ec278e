import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addDecimal, divideForAverage, formatDecimal, parseDecimal, type Decimal } from './decimal.js';
import { formatFloat4, formatFloat8 } from './float-text.js';
import { readNumericBinary, writeNumericBinary } from './numeric-binary.js';
import { columnType, Oid } from './column-types.js';

const dec = (s: string): Decimal => parseDecimal(s)!;

describe('decimal', () => {
  it('adds with the larger scale and handles specials', () => {
    assert.equal(formatDecimal(addDecimal(dec('1.50'), dec('-2.125'))), '-0.625');
    assert.equal(formatDecimal(addDecimal(dec('Infinity'), dec('1'))), 'Infinity');
    assert.equal(formatDecimal(addDecimal(dec('Infinity'), dec('-Infinity'))), 'NaN');
  });
  it("divides like numeric_div for avg (PostgreSQL's printed results)", () => {
    // Values checked against PostgreSQL: avg over (1,2), (10,20), (1,1,1), (-7,2), (123.456, 0.004).
    assert.equal(formatDecimal(divideForAverage(dec('3'), 2n)), '1.5000000000000000');
    assert.equal(formatDecimal(divideForAverage(dec('30'), 2n)), '15.0000000000000000');
    assert.equal(formatDecimal(divideForAverage(dec('3'), 3n)), '1.00000000000000000000');
    assert.equal(formatDecimal(divideForAverage(dec('-5'), 2n)), '-2.5000000000000000');
    assert.equal(formatDecimal(divideForAverage(dec('123.460'), 2n)), '61.7300000000000000');
  });
});

describe('float output', () => {
  it('formats as float8out / float4out', () => {
    assert.equal(formatFloat8(0.1 + 0.2), '0.30000000000000004');
    assert.equal(formatFloat8(1e15), '1e+15');
    assert.equal(formatFloat8(123456789012345), '123456789012345');
    assert.equal(formatFloat8(0.0001), '0.0001');
    assert.equal(formatFloat8(0.00001), '1e-05');
    assert.equal(formatFloat8(-0), '-0');
    assert.equal(formatFloat8(NaN), 'NaN');
    assert.equal(formatFloat4(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat4(1000000), '1e+06');
    assert.equal(formatFloat4(123456), '123456');
  });
});

describe('numeric binary', () => {
  for (const s of ['0', '1', '-12345.678', '0.0001', '10000', '99999999.00000001', 'NaN', '-Infinity']) {
    it(`round-trips ${s}`, () => assert.equal(formatDecimal(readNumericBinary(writeNumericBinary(dec(s)))), s));
  }
});

describe('column ordering', () => {
  it('orders floats with NaN above everything and -0 = 0', () => {
    const t = columnType(Oid.Float8, 0)!;
    const k = (s: string): unknown => t.decode(Buffer.from(s));
    assert.equal(t.compare(k('NaN'), k('Infinity')), 1);
    assert.equal(t.compare(k('NaN'), k('NaN')), 0);
    assert.equal(t.equalityKey(k('-0')), t.equalityKey(k('0')));
  });
  it('orders timestamptz by instant across offsets', () => {
    const t = columnType(Oid.Timestamptz, 0)!;
    const k = (s: string): unknown => t.decode(Buffer.from(s));
    assert.equal(t.compare(k('2020-01-01 10:00:00+05'), k('2020-01-01 06:00:00+00')), -1);
    assert.equal(t.compare(k('2020-01-01 10:00:00.5+05:30'), k('2020-01-01 04:30:00.5+00')), 0);
    assert.equal(t.compare(k('0044-03-15 12:00:00 BC'), k('0001-01-01 00:00:00')), -1);
  });
  it('has no codec for types it cannot order', () => {
    assert.equal(columnType(1186 /* interval */, 0), null);
  });
});
