import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys, isEmptyRange, mappingKey, parseUuid, rangesOverlap, type MappingKey } from '../src/config/mapping-values.js';

const int = (v: number | bigint) => mappingKey('bigint', v) as MappingKey;

test('UUIDs in the forms the Rust uuid crate accepts', () => {
  const hex = '6f1c2b1e8d4c4a579f7e0c1d2e3f4a5b';
  for (const s of ['6f1c2b1e-8d4c-4a57-9f7e-0c1d2e3f4a5b', '{6F1C2B1E-8D4C-4A57-9F7E-0C1D2E3F4A5B}', 'urn:uuid:6f1c2b1e-8d4c-4a57-9f7e-0c1d2e3f4a5b', hex]) {
    assert.equal(parseUuid(s), hex, s);
  }
  assert.equal(parseUuid('6f1c2b1e-8d4c-4a57-9f7e-0c1d2e3f4a5'), undefined);
  assert.equal(parseUuid('not-a-uuid'), undefined);
});

test('keys per data type; other kinds cannot match', () => {
  assert.deepEqual(mappingKey('bigint', 5), { kind: 'integer', value: 5n });
  assert.equal(mappingKey('bigint', '5'), undefined);
  assert.equal(mappingKey('varchar', 5), undefined);
  assert.equal(mappingKey('vector', 5), undefined);
});

test('integers compare exactly beyond 2^53', () => {
  assert.equal(compareKeys(int(9007199254740993n), int(9007199254740992n)), 1);
  assert.equal(compareKeys(int(-1), int(0)), -1);
});

test('ranges are half-open; missing bounds are unbounded', () => {
  const r = (start?: number, end?: number) => ({ start: start === undefined ? undefined : int(start), end: end === undefined ? undefined : int(end) });
  assert.equal(rangesOverlap(r(0, 10), r(10, 20)), false);
  assert.equal(rangesOverlap(r(0, 10), r(9, 20)), true);
  assert.equal(rangesOverlap(r(undefined, 0), r(undefined, -100)), true);
  assert.equal(rangesOverlap(r(5), r(undefined, 6)), true);
  assert.equal(rangesOverlap(r(5), r(undefined, 5)), false);
  assert.equal(isEmptyRange(r(3, 3)), true);
  assert.equal(isEmptyRange(r(3)), false);
});
