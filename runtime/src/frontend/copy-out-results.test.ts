import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BINARY_SIGNATURE } from '../copy/copy-binary.js';
import { CopyOutResults } from './copy-out-results.js';

function frame(code: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`);
const RESPONSE = frame('H', Buffer.from([0, 0, 1, 0, 0]));

/** Feeds each shard's answer, then cuts the output into frames. */
function run(results: CopyOutResults, shards: readonly (readonly Buffer[])[]): { code: string; body: Buffer }[] {
  results.begin(shards.length);
  shards.forEach((frames, s) => {
    for (const f of frames) results.frame(s, f[0]!, f, 0, f.length);
  });
  const out = results.take();
  const frames: { code: string; body: Buffer }[] = [];
  for (let p = 0; p < out.length;) {
    const len = out.readInt32BE(p + 1);
    frames.push({ code: String.fromCharCode(out[p]!), body: out.subarray(p + 5, p + 1 + len) });
    p += 1 + len;
  }
  return frames;
}

describe('CopyOutResults', () => {
  it('CSV with HEADER: one response, one header, every row, one CopyDone, summed count', () => {
    const shard = (rows: string[], n: number): Buffer[] => [RESPONSE, frame('d', Buffer.from('a,b\n')), ...rows.map((r) => frame('d', Buffer.from(r))), frame('c', Buffer.alloc(0)), frame('C', cstr(`COPY ${n}`))];
    const out = run(new CopyOutResults('csv', true), [shard(['1,x\n'], 1), shard(['2,y\n', '3,z\n'], 2)]);
    assert.deepEqual(out.map((f) => f.code), ['H', 'd', 'd', 'd', 'd', 'c', 'C']);
    assert.equal(Buffer.concat(out.filter((f) => f.code === 'd').map((f) => f.body)).toString(), 'a,b\n1,x\n2,y\n3,z\n');
    assert.equal(out[6]!.body.toString(), 'COPY 3\0');
  });

  it('binary: the first file header and the last trailer only', () => {
    const header = Buffer.concat([BINARY_SIGNATURE, Buffer.alloc(8)]);
    const tuple = (v: number): Buffer => Buffer.from([0, 1, 0, 0, 0, 1, v]);
    const trailer = Buffer.from([0xff, 0xff]);
    const shard = (v: number): Buffer[] => [RESPONSE, frame('d', Buffer.concat([header, tuple(v)])), frame('d', trailer), frame('c', Buffer.alloc(0)), frame('C', cstr('COPY 1'))];
    const out = run(new CopyOutResults('binary', false), [shard(1), shard(2), shard(3)]);
    const data = Buffer.concat(out.filter((f) => f.code === 'd').map((f) => f.body));
    assert.deepEqual(data, Buffer.concat([header, tuple(1), tuple(2), tuple(3), trailer]));
  });

  it('an error on any shard is the only answer', () => {
    const err = frame('E', Buffer.concat([cstr('SERROR'), cstr('C42501'), cstr('Mno'), Buffer.from([0])]));
    const out = run(new CopyOutResults('text', false), [[RESPONSE, frame('d', Buffer.from('1\n')), frame('c', Buffer.alloc(0)), frame('C', cstr('COPY 1'))], [err]]);
    assert.deepEqual(out.map((f) => f.code), ['E']);
  });
});
