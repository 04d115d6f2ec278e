import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeToml, firstInvalidUtf8, positionOfOffset } from '../src/config/decode.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('valid UTF-8 of every sequence length decodes', () => {
  const d = decodeToml(bytes('a = "é€😀"\n'));
  assert.deepEqual(d, { ok: true, text: 'a = "é€😀"\n' });
});

test('a leading byte-order mark is dropped', () => {
  assert.deepEqual(decodeToml(bytes([0xef, 0xbb, 0xbf], 'a = 1')), { ok: true, text: 'a = 1' });
});

test('invalid sequences are found at their first byte', () => {
  assert.equal(firstInvalidUtf8(bytes('ab', [0xe9], 'c')), 2); // lone latin-1 byte
  assert.equal(firstInvalidUtf8(bytes([0xc0, 0xaf])), 0); // overlong
  assert.equal(firstInvalidUtf8(bytes([0xed, 0xa0, 0x80])), 0); // UTF-16 surrogate
  assert.equal(firstInvalidUtf8(bytes([0xf4, 0x90, 0x80, 0x80])), 0); // past U+10FFFF
  assert.equal(firstInvalidUtf8(bytes('ok', [0xe2, 0x82])), 2); // truncated at end of input
  assert.equal(firstInvalidUtf8(bytes('€ok')), -1);
});

test('E_NOT_UTF8 reports line and UTF-16 column of the bad byte', () => {
  assert.deepEqual(decodeToml(bytes('x = 1\nname = "é', [0xff], '"\n')), { ok: false, code: 'E_NOT_UTF8', position: { line: 2, column: 10 } });
});

test('NUL bytes mean binary, reported where the first one is', () => {
  assert.deepEqual(decodeToml(bytes('a\nbc', [0], 'd')), { ok: false, code: 'E_BINARY', position: { line: 2, column: 3 } });
});

test('positionOfOffset counts lines by LF', () => {
  assert.deepEqual(positionOfOffset(bytes('ab\r\ncd'), 5), { line: 2, column: 2 });
});
