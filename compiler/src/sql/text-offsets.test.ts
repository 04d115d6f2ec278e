import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteToCharConverter, codePointToCharIndex, isAscii } from './text-offsets.js';

test('text-offsets: byte offsets map to string indexes', () => {
  const text = 'aé€😀b';
  const toChar = byteToCharConverter(text);
  // a=1 byte, é=2, €=3, 😀=4 (two JS chars), b=1
  assert.equal(toChar(0), 0);
  assert.equal(toChar(1), 1);
  assert.equal(toChar(3), 2);
  assert.equal(toChar(6), 3);
  assert.equal(toChar(10), 5);
  assert.equal(toChar(11), 6);
  assert.equal(text[toChar(10)], 'b');
  assert.equal(byteToCharConverter('plain')(3), 3);
  assert.equal(isAscii('plain'), true);
  assert.equal(isAscii('é'), false);
});

test('text-offsets: code points map to string indexes', () => {
  assert.equal(codePointToCharIndex('😀😀x', 2), 4);
  assert.equal(codePointToCharIndex('abc', 2), 2);
  assert.equal(codePointToCharIndex('ab', 9), 2);
});
