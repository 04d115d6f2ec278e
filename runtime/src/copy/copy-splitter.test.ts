import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CopySplitter, type CopySplitOptions } from './copy-splitter.js';
import { BINARY_SIGNATURE } from './copy-binary.js';

/** Shard = first byte of the key mod 2; records every key seen. */
function make(format: CopySplitOptions['format'], extra: Partial<CopySplitOptions> = {}): { s: CopySplitter; keys: (string | null)[] } {
  const keys: (string | null)[] = [];
  const s = new CopySplitter({
    format, keyColumn: 1, columnCount: 2, shards: 2,
    shardOf: (v) => {
      keys.push(v === null ? null : v.toString('latin1'));
      return v === null || v.length === 0 ? 0 : v[0]! % 2;
    },
    ...extra,
  });
  return { s, keys };
}

function feedBytewise(s: CopySplitter, data: Buffer): string[] {
  const out = ['', ''];
  for (let i = 0; i < data.length; i++) {
    s.push(data.subarray(i, i + 1));
    for (let k = 0; k < 2; k++) out[k] += s.take(k)?.toString('latin1') ?? '';
  }
  s.end();
  for (let k = 0; k < 2; k++) out[k] += s.take(k)?.toString('latin1') ?? '';
  return out;
}

describe('CopySplitter text', () => {
  it('splits rows byte by byte, de-escapes the key, honours \\N and \\.', () => {
    const { s, keys } = make('text');
    const data = 'x\ta\\tb\nx\t\\N\ny\t\\101\\x42c\nz\tline\\\nbreak\n\\.\nignored\tq\n';
    const [a, b] = feedBytewise(s, Buffer.from(data));
    assert.equal(s.error, null);
    assert.deepEqual(keys, ['a\tb', null, 'ABc', 'line\nbreak']);
    assert.equal(a, 'x\t\\N\nz\tline\\\nbreak\n');
    assert.equal(b, 'x\ta\\tb\ny\t\\101\\x42c\n');
    assert.deepEqual(s.rows, [2, 2]);
  });

  it('reports the line of a row with too many columns', () => {
    const { s } = make('text');
    s.push(Buffer.from('a\tb\nc\td\te\n'));
    assert.equal(s.error?.line, 2);
    assert.match(s.error!.message, /extra data after last expected column/);
  });

  it('accepts a last line without a newline', () => {
    const { s } = make('text');
    s.push(Buffer.from('a\tb\nc\td'));
    s.end();
    assert.equal(s.totalRows, 2);
  });
});

describe('CopySplitter CSV', () => {
  it('handles quotes, doubled quotes, embedded newlines and a header across chunks', () => {
    const { s, keys } = make('csv', { header: true });
    const data = 'h1,h2\r\nx,"a ""q"", b"\r\ny,"multi\nline"\nz,\nw,""\n';
    const [a, b] = feedBytewise(s, Buffer.from(data));
    assert.equal(s.error, null);
    assert.deepEqual(keys, ['a "q", b', 'multi\nline', null, '']);
    // The header goes to both shards.
    assert.ok(a.startsWith('h1,h2\r\n') && b.startsWith('h1,h2\r\n'));
    assert.equal(s.totalRows, 4);
  });

  it('fails on an unterminated quoted field at the end', () => {
    const { s } = make('csv');
    s.push(Buffer.from('x,y\nx,"open\n'));
    s.end();
    assert.equal(s.error?.line, 2);
    assert.match(s.error!.message, /unterminated CSV quoted field/);
  });
});

describe('CopySplitter binary', () => {
  function tuple(...fields: (string | null)[]): Buffer {
    const parts = [Buffer.alloc(2)];
    parts[0]!.writeInt16BE(fields.length);
    for (const f of fields) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(f === null ? -1 : Buffer.byteLength(f));
      parts.push(len);
      if (f !== null) parts.push(Buffer.from(f));
    }
    return Buffer.concat(parts);
  }
  const header = Buffer.concat([BINARY_SIGNATURE, Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 9, 9])]);
  const trailer = Buffer.from([0xff, 0xff]);

  it('sends the header to every shard, each row to its shard, and a trailer to each', () => {
    const { s, keys } = make('binary');
    const [a, b] = feedBytewise(s, Buffer.concat([header, tuple('1', 'a'), tuple('2', 'b'), tuple('3', null), trailer]));
    assert.equal(s.error, null);
    assert.deepEqual(keys, ['a', 'b', null]);
    assert.deepEqual(s.rows, [2, 1]);
    const ha = header.toString('latin1');
    assert.equal(a, ha + tuple('2', 'b').toString('latin1') + tuple('3', null).toString('latin1') + '\xff\xff');
    assert.equal(b, ha + tuple('1', 'a').toString('latin1') + '\xff\xff');
  });

  it('rejects a bad signature and a wrong field count', () => {
    const bad = make('binary').s;
    bad.push(Buffer.from('NOTPGCOPY-header-bytes'));
    assert.match(bad.error!.message, /signature/);
    const { s } = make('binary');
    s.push(Buffer.concat([header, tuple('1', 'a'), tuple('x')]));
    assert.equal(s.error?.line, 2);
    assert.match(s.error!.message, /field count is 1, expected 2/);
  });
});
