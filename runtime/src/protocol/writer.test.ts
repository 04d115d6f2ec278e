import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageWriter } from './writer.js';
import { Reader } from './reader.js';

describe('MessageWriter', () => {
  it('reserves the header and patches code and length on end()', () => {
    const w = new MessageWriter();
    w.begin(0x51).cstring('SELECT 1').end();
    const b = w.take();
    assert.equal(b[0], 0x51);
    assert.equal(b.readInt32BE(1), 4 + 9);
    assert.equal(b.toString('utf8', 5, b.length - 1), 'SELECT 1');
    assert.equal(b[b.length - 1], 0);
  });

  it('writes untyped packets with the length at offset 0', () => {
    const w = new MessageWriter();
    w.beginUntyped().int32(80877103).end();
    assert.deepEqual([...w.take()], [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  });

  it('hands several messages over as one contiguous buffer', () => {
    const w = new MessageWriter();
    w.begin(0x31).end().begin(0x32).end().begin(0x5a).byte(0x49).end();
    assert.equal(w.pendingLength, 16);
    assert.equal(w.take().toString('hex'), '3100000004' + '3200000004' + '5a0000000549');
    assert.equal(w.take().length, 0, 'nothing left after a take');
  });

  it('never overwrites bytes it has handed out, across takes and growth', () => {
    const w = new MessageWriter(16);
    const taken: { buf: Buffer; copy: Buffer }[] = [];
    for (let i = 0; i < 500; i++) {
      w.begin(0x64).string('x'.repeat(i % 37)).int32(i).end();
      if (i % 3 === 0) {
        const buf = w.take();
        taken.push({ buf, copy: Buffer.from(buf) });
      }
    }
    const rest = w.take();
    taken.push({ buf: rest, copy: Buffer.from(rest) });
    // Huge message forces a regrow while earlier views are still alive.
    w.begin(0x64).bytes(Buffer.alloc(200_000, 1)).end();
    taken.push({ buf: w.take(), copy: Buffer.alloc(0) });
    for (const { buf, copy } of taken.slice(0, -1)) assert.ok(buf.equals(copy));
    assert.equal(taken[taken.length - 1].buf.length, 5 + 200_000);
  });

  it('grows geometrically while one message is being written', () => {
    const w = new MessageWriter(16);
    w.begin(0x64);
    const part = Buffer.alloc(1000, 0xab);
    for (let i = 0; i < 1000; i++) w.bytes(part);
    w.end();
    const b = w.take();
    assert.equal(b.readInt32BE(1), 4 + 1_000_000);
    assert.ok(b.subarray(5).every((x) => x === 0xab));
  });

  it('writes UTF-8 strings with exact byte lengths', () => {
    const w = new MessageWriter(16);
    const text = 'héllo wörld ✓ 𝄞';
    w.begin(0x44).lengthPrefixedString(text).cstring(text).end();
    const b = w.take();
    const r = new Reader().setBuffer(b, 5, b.length);
    const n = r.int32();
    assert.equal(n, Buffer.byteLength(text));
    assert.equal(r.string(n), text);
    assert.equal(r.cstring(), text);
    r.expectEnd();
  });

  it('writes long strings that exceed the fast-path estimate', () => {
    const w = new MessageWriter(16);
    const text = 'é'.repeat(5000);
    w.begin(0x51).cstring(text).end();
    const b = w.take();
    assert.equal(new Reader().setBuffer(b, 5, b.length).cstring(), text);
  });

  it('rejects NUL inside a cstring and misuse of begin/end/take', () => {
    const w = new MessageWriter();
    assert.throws(() => w.begin(0x51).cstring('a\0b'), TypeError);
    w.reset();
    assert.throws(() => w.end(), /no message open/);
    w.begin(0x51);
    assert.throws(() => w.begin(0x51), /not ended/);
    assert.throws(() => w.take(), /open/);
    assert.throws(() => w.frames(Buffer.from([1])), /open/);
    w.reset();
    assert.equal(w.take().length, 0);
  });

  it('reset() drops unfinished bytes but keeps finished ones already taken', () => {
    const w = new MessageWriter();
    w.begin(0x53).end();
    const first = w.take();
    w.begin(0x51).string('partial');
    w.reset();
    w.begin(0x48).end();
    assert.equal(w.take().toString('hex'), '4800000004');
    assert.equal(first.toString('hex'), '5300000004');
  });
});
