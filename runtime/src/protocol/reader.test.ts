import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from './reader.js';
import { MalformedMessageError } from './malformed-message.js';

describe('Reader', () => {
  const body = Buffer.from([
    0xff, 0xfe, // int16 -2 / uint16 65534
    0x80, 0x00, 0x00, 0x01, // int32 / uint32
    0x61, 0x62, 0x00, // "ab\0"
    0x01, 0x02, 0x03, // bytes
  ]);

  it('reads fixed-width fields, strings and views', () => {
    const r = new Reader().setBuffer(body);
    assert.equal(r.int16(), -2);
    r.setBuffer(body);
    assert.equal(r.uint16(), 65534);
    assert.equal(r.int32(), -2147483647);
    r.setBuffer(body, 2);
    assert.equal(r.uint32(), 2147483649);
    assert.equal(r.cstring(), 'ab');
    const view = r.bytes(2);
    assert.equal(view.buffer, body.buffer, 'a view, not a copy');
    assert.deepEqual([...view], [1, 2]);
    assert.equal(r.remaining, 1);
    assert.deepEqual([...r.rest()], [3]);
    r.expectEnd();
  });

  it('stops at the frame end, not the buffer end', () => {
    // The frame ends before the NUL that the next frame happens to contain.
    const r = new Reader().setBuffer(body, 6, 7);
    assert.throws(() => r.cstring(), (e: unknown) => e instanceof MalformedMessageError && e.message === 'invalid string in message');
    r.setBuffer(body, 0, 3);
    r.int16();
    assert.throws(() => r.int16(), /insufficient data left in message/);
    r.setBuffer(body, 0, 3);
    assert.throws(() => r.bytes(4), /insufficient data/);
    assert.throws(() => r.bytes(-2), /insufficient data/);
    assert.throws(() => r.string(-1), /insufficient data/);
    r.setBuffer(body, 0, 3);
    r.byte();
    assert.throws(() => r.expectEnd(), (e: unknown) => e instanceof MalformedMessageError && e.sqlstate === '08P01');
  });
});
