import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CrossShardPlan } from '@pgdog/compiler';
import { MessageWriter } from '../protocol/writer.js';
import { writeRowDescription, TypeOid } from '../protocol/backend/row-description.js';
import { writeDataRow } from '../protocol/backend/data-row.js';
import { writeCommandComplete } from '../protocol/backend/command-complete.js';
import { writeErrorResponse } from '../protocol/backend/error-response.js';
import { ResultMerger } from './result-merger.js';

const PLAN: CrossShardPlan = {
  shardSql: 'SELECT id FROM t ORDER BY id', hiddenColumns: 0, limit: null, offset: null, distinct: false, aggregate: null,
  streaming: true, orderBy: [{ column: { kind: 'start', index: 0 }, descending: false, nullsFirst: false }],
};

const frame = (write: (w: MessageWriter) => void): Buffer => {
  const w = new MessageWriter();
  write(w);
  return Buffer.from(w.take());
};
const desc = (oid: number = TypeOid.Int8): Buffer => frame((w) => writeRowDescription(w, [{ name: 'id', typeOid: oid }]));
const row = (v: string | null): Buffer => frame((w) => writeDataRow(w, [v]));
const done = (n: number): Buffer => frame((w) => writeCommandComplete(w, `SELECT ${n}`));
const codes = (b: Buffer): string => {
  let s = '';
  for (let p = 0; p < b.length; p += b.readInt32BE(p + 1) + 1) s += String.fromCharCode(b[p]!);
  return s;
};

describe('ResultMerger', () => {
  it('streams: a row leaves only once every unfinished shard has one to compare', () => {
    const w = new MessageWriter();
    const m = new ResultMerger(PLAN, 2, w);
    for (const s of [0, 1]) m.rowDescription(s, desc(), 0, desc().length);
    assert.equal(codes(w.take()), 'T');
    m.dataRow(0, row('1'), 0, row('1').length);
    m.dataRow(0, row('5'), 0, row('5').length);
    assert.equal(w.pendingLength, 0);
    assert.equal(m.queuedRows(0), 2);
    m.dataRow(1, row('3'), 0, row('3').length);
    assert.equal(codes(w.take()), 'DD'); // 1, 3; 5 waits for shard 1's next row or its end
    m.commandComplete(1, done(1), 0, done(1).length);
    assert.equal(codes(w.take()), 'D'); // 5
    m.commandComplete(0, done(2), 0, done(2).length);
    assert.ok(m.finished);
    const tail = w.take();
    assert.equal(codes(tail), 'C');
    assert.match(tail.toString('latin1'), /SELECT 3/);
  });

  it('an error on one shard gives exactly one ErrorResponse and nothing after it', () => {
    const w = new MessageWriter();
    const m = new ResultMerger(PLAN, 3, w);
    for (const s of [0, 1, 2]) m.rowDescription(s, desc(), 0, desc().length);
    const err = frame((x) => writeErrorResponse(x, { severity: 'ERROR', sqlstate: '22012', message: 'division by zero' }));
    m.errorResponse(1, err, 0, err.length);
    m.errorResponse(2, err, 0, err.length);
    m.dataRow(0, row('1'), 0, row('1').length);
    m.commandComplete(0, done(1), 0, done(1).length);
    assert.ok(m.finished && m.failed);
    assert.equal(codes(w.take()), 'TE');
  });

  it('refuses shards that describe different columns, and negative LIMIT parameters', () => {
    const w = new MessageWriter();
    const m = new ResultMerger(PLAN, 2, w);
    m.rowDescription(0, desc(), 0, desc().length);
    m.rowDescription(1, desc(TypeOid.Int4), 0, desc(TypeOid.Int4).length);
    assert.ok(m.failed);
    assert.match(w.take().toString('latin1'), /different columns/);
    const w2 = new MessageWriter();
    const m2 = new ResultMerger({ ...PLAN, limit: { kind: 'param', index: 1 } }, 2, w2, { params: ['-1'] });
    assert.ok(m2.failed);
    assert.match(w2.take().toString('latin1'), /2201W.*LIMIT must not be negative/s);
  });

  it('orders by a type it cannot compare: a clear error before any row', () => {
    const w = new MessageWriter();
    const m = new ResultMerger(PLAN, 1, w);
    m.rowDescription(0, desc(1186), 0, desc(1186).length);
    assert.match(w.take().toString('latin1'), /0A000.*ORDER BY on column "id" of type oid 1186/s);
  });
});
