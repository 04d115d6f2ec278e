import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPositionMap } from '../src/config/positions.js';
import { locate } from '../src/config/locate.js';

const text = [
  '[general]', //                                  1
  'port = 6432', //                                2
  '', //                                           3
  '[[databases]]', //                              4
  'name = "a"', //                                 5
  '[[databases]]', //                              6
  'name = "b"', //                                 7
  '  tags = [1, { x = 2 }]', //                    8
  '"quoted/key" = true', //                        9
  'a.b.c = 1', //                                  10
  '[[sharded_tables]]', //                         11
  '[[sharded_tables.mapping]]', //                 12
  'values = [10, 20]', //                          13
  '[tcp]', //                                      14
  'keepalive = false', //                          15
].join('\n');

const map = buildPositionMap(text);
const at = (pointer: string, anchor: 'key' | 'value' = 'value') => {
  const p = locate(map, pointer, anchor);
  return `${p.line}:${p.column}`;
};

test('keys and values of plain key/value pairs', () => {
  assert.equal(at('/general/port', 'key'), '2:1');
  assert.equal(at('/general/port', 'value'), '2:8');
});

test('standard table headers point at the name inside the brackets (key) or the header (value)', () => {
  assert.equal(at('/general', 'key'), '1:2');
  assert.equal(at('/general', 'value'), '1:1');
  assert.equal(at('/tcp/keepalive'), '15:13');
});

test('array-of-tables elements are numbered in file order', () => {
  assert.equal(at('/databases/0', 'value'), '4:1');
  assert.equal(at('/databases/1', 'value'), '6:1');
  assert.equal(at('/databases/1/name'), '7:8');
  assert.equal(at('/databases', 'key'), '4:3');
});

test('array elements and inline tables inside arrays', () => {
  assert.equal(at('/databases/1/tags', 'key'), '8:3');
  assert.equal(at('/databases/1/tags/0'), '8:11');
  assert.equal(at('/databases/1/tags/1'), '8:14');
  assert.equal(at('/databases/1/tags/1/x'), '8:20');
  assert.equal(at('/databases/1/tags/1/x', 'key'), '8:16');
});

test('quoted keys are unquoted and JSON-pointer escaped', () => {
  assert.equal(at('/databases/1/quoted~1key', 'key'), '9:1');
});

test('dotted keys give every prefix a position', () => {
  assert.equal(at('/databases/1/a', 'key'), '10:1');
  assert.equal(at('/databases/1/a/b', 'key'), '10:3');
  assert.equal(at('/databases/1/a/b/c'), '10:9');
});

test('nested array tables resolve through their parent element', () => {
  assert.equal(at('/sharded_tables/0/mapping/0', 'value'), '12:1');
  assert.equal(at('/sharded_tables/0/mapping/0/values/1'), '13:15');
});

test('a pointer that is not written falls back to the nearest written ancestor (its content start)', () => {
  assert.equal(at('/databases/0/host', 'key'), '4:1');
  assert.equal(at('/general/default_pool_size', 'key'), '1:1');
  assert.equal(at('/nothing/here'), '1:1');
  assert.equal(at(''), '1:1');
});

test('columns count UTF-16 units, like editors', () => {
  const m = buildPositionMap('t = { a = "😀", b = 1 }\n');
  assert.deepEqual(locate(m, '/t/b', 'value'), { line: 1, column: 21 });
});

test('text the eslint TOML parser rejects gives an empty map, never an exception', () => {
  const m = buildPositionMap('a = = 1');
  assert.equal(m.size, 0);
  assert.deepEqual(locate(m, '/a', 'value'), { line: 1, column: 1 });
});
