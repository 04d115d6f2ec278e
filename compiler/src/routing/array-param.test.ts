import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayElements } from './array-param.js';

test('text arrays: plain, quoted, escaped, NULL, explicit bounds, empty', () => {
  assert.deepEqual(arrayElements('{1,2,3}', 0), ['1', '2', '3']);
  assert.deepEqual(arrayElements(' { a , "b c" , "x\\"y" } ', 0), ['a', 'b c', 'x"y']);
  assert.deepEqual(arrayElements('{NULL,"NULL",null}', 0), [null, 'NULL', null]);
  assert.deepEqual(arrayElements('[0:1]={7,8}', 0), ['7', '8']);
  assert.deepEqual(arrayElements('{}', 0), []);
  assert.deepEqual(arrayElements(Buffer.from('{é,ü}'), 0), ['é', 'ü']);
});

test('text arrays that are not one-dimensional or not arrays give null', () => {
  for (const bad of ['{{1,2},{3,4}}', '1,2', '{1,2', '{"a}', '{1 2,}x']) assert.equal(arrayElements(bad, 0), null, bad);
});

function binary(elements: (Buffer | null)[], ndim = 1): Buffer {
  const head = Buffer.alloc(ndim === 0 ? 12 : 20);
  head.writeInt32BE(ndim, 0);
  head.writeInt32BE(elements.includes(null) ? 1 : 0, 4);
  head.writeInt32BE(20, 8);
  if (ndim > 0) {
    head.writeInt32BE(elements.length, 12);
    head.writeInt32BE(1, 16);
  }
  const parts = elements.map((e) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(e === null ? -1 : e.length);
    return e === null ? len : Buffer.concat([len, e]);
  });
  return Buffer.concat([head, ...parts]);
}

test('binary arrays: elements as byte views, NULL elements skipped, truncation rejected', () => {
  const one = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]);
  const two = Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(arrayElements(binary([one, null, two]), 1)?.map((b) => Buffer.from(b as Uint8Array).toString('hex')), [one.toString('hex'), two.toString('hex')]);
  assert.deepEqual(arrayElements(binary([], 0), 1), []);
  const full = binary([one, two]);
  assert.equal(arrayElements(full.subarray(0, full.length - 1), 1), null);
  assert.equal(arrayElements(Buffer.concat([full, Buffer.from([0])]), 1), null);
  const twoDims = Buffer.from(full);
  twoDims.writeInt32BE(2, 0);
  assert.equal(arrayElements(twoDims, 1), null);
  assert.equal(arrayElements('{1}', 1), null, 'a JS string is never binary');
});
