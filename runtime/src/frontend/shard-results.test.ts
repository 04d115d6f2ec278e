import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BackendCode } from '../protocol/codes.js';
import { readCommandComplete } from '../protocol/backend/command-complete.js';
import { commandCompleteFrame, errorFrame, sumTags, SummedResults } from './shard-results.js';

function dataRow(text: string): Buffer {
  const v = Buffer.from(text);
  const b = Buffer.alloc(11 + v.length);
  b[0] = BackendCode.DataRow;
  b.writeInt32BE(10 + v.length, 1);
  b.writeInt16BE(1, 5);
  b.writeInt32BE(v.length, 7);
  v.copy(b, 11);
  return b;
}

/** Frames of a buffer as [code, payload-or-tag]. */
function frames(buf: Buffer): [string, string][] {
  const out: [string, string][] = [];
  for (let p = 0; p < buf.length; p += 1 + buf.readInt32BE(p + 1)) {
    const end = p + 1 + buf.readInt32BE(p + 1);
    const code = String.fromCharCode(buf[p]!);
    out.push([code, code === 'C' ? readCommandComplete(buf, p, end) : code === 'D' ? buf.subarray(p + 11, end).toString() : '']);
  }
  return out;
}

const feed = (r: SummedResults, shard: number, f: Buffer): void => r.frame(shard, f[0]!, f, 0, f.length);

describe('shard results', () => {
  it('sums row counts of the tags that carry one', () => {
    assert.equal(sumTags(['UPDATE 3', 'UPDATE 4']), 'UPDATE 7');
    assert.equal(sumTags(['INSERT 0 1', 'INSERT 0 2', 'INSERT 0 0']), 'INSERT 0 3');
    assert.equal(sumTags(['CREATE TABLE', 'CREATE TABLE']), 'CREATE TABLE');
  });

  it('rows of every shard, one summed CommandComplete per statement', () => {
    const r = new SummedResults();
    r.begin(2);
    feed(r, 1, dataRow('b'));
    feed(r, 1, commandCompleteFrame('DELETE 1'));
    feed(r, 0, dataRow('a'));
    feed(r, 0, commandCompleteFrame('DELETE 1'));
    feed(r, 0, commandCompleteFrame('UPDATE 0'));
    feed(r, 1, commandCompleteFrame('UPDATE 5'));
    assert.deepEqual(frames(r.take()), [['D', 'a'], ['D', 'b'], ['C', 'DELETE 2'], ['C', 'UPDATE 5']]);
  });

  it('replicated (omnisharded): the first shard speaks for all', () => {
    const r = new SummedResults(true);
    r.begin(3);
    for (const s of [0, 1, 2]) feed(r, s, commandCompleteFrame('INSERT 0 4'));
    assert.deepEqual(frames(r.take()), [['C', 'INSERT 0 4']]);
  });

  it('an error on any shard: only the first shard\'s error, no partial statement', () => {
    const r = new SummedResults();
    r.begin(3);
    feed(r, 0, commandCompleteFrame('UPDATE 2'));
    feed(r, 2, errorFrame('23505', 'duplicate'));
    r.lost(1, '08006', 'gone');
    assert.deepEqual(frames(r.take()).map((f) => f[0]), ['E']);
  });
});
