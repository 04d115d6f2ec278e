import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSql } from './normalize.js';
import { LiteralKind } from './literal-decode.js';

function key(text: string): string | null {
  return normalizeSql(text)?.key ?? null;
}

test('normalize: literals become typed placeholders, the rest is kept', () => {
  assert.equal(key('SELECT * FROM users WHERE id = 42'), 'SELECT * FROM users WHERE id = \0i');
  assert.equal(key("SELECT 1.5, 'a', E'b', U&'c', $$d$$, $t$e$t$, B'1', X'f', 2147483648"),
    'SELECT \0n, \0s, \0s, \0s, \0s, \0s, \0b, \0x, \0l');
  assert.equal(key('SELECT * FROM t WHERE id = $1 AND t1.a$2 = 3'), 'SELECT * FROM t WHERE id = $1 AND t1.a$2 = \0i');
  assert.equal(key('SELECT "col 1" FROM "t 2"'), 'SELECT "col 1" FROM "t 2"');
  assert.equal(key('SELECT true, false, null'), 'SELECT true, false, null');
});

test('normalize: same shape, same key', () => {
  const same: Array<[string, string]> = [
    ['SELECT * FROM t WHERE id = 42', 'SELECT * FROM t WHERE id = 43'],
    ['SELECT * FROM t LIMIT 5', 'SELECT * FROM t LIMIT 6'],
    ["SELECT 'a'", "SELECT 'it''s a longer one'"],
    ["SELECT 'a'", "SELECT E'\\n'"],
    ['SELECT 1', 'SELECT 0x1F'],
    ['SELECT 1', 'SELECT 2147483647'],
    ['SELECT 2147483648', 'SELECT 99999999999999999999'],
    ["SELECT 'x'::float(10)", "SELECT 'y'::float(10)"],
    ['  SELECT  *\n\tFROM t  ', 'SELECT * FROM t'],
    ['SELECT 1 -- trailing comment', 'SELECT 1'],
    ['SELECT /* a /* nested */ b */ 1', 'SELECT 1'],
    ['SELECT 1 /* pgdog_shard: 1 */', 'SELECT 2 /* pgdog_shard: 1 */'],
  ];
  for (const [a, b] of same) assert.equal(key(a), key(b), `${a} | ${b}`);
});

test('normalize: anything that can change the analysis changes the key', () => {
  const different: Array<[string, string]> = [
    ['SELECT * FROM t WHERE id IN (1, 2)', 'SELECT * FROM t WHERE id IN (1, 2, 3)'],
    ['SELECT * FROM t WHERE id = -1', 'SELECT * FROM t WHERE id = 1'],
    ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id = 1.0'],
    ['SELECT * FROM t WHERE id = 1', "SELECT * FROM t WHERE id = '1'"],
    ["SELECT * FROM t WHERE id = 'a'::uuid", "SELECT * FROM t WHERE id = 'a'::text"],
    ["SELECT * FROM t WHERE id = 'a'", "SELECT * FROM t WHERE id = B'1'"],
    ['SELECT 1 /* pgdog_shard: 1 */', 'SELECT 1 /* pgdog_shard: 2 */'],
    ['SELECT 1 -- pgdog_role: replica', 'SELECT 1 -- pgdog_role: primary'],
    ['SELECT 1 /* pgdog_shard: 1 */', 'SELECT 1'],
    ['-- pgdog_shard: 1\nSELECT 1', '-- pgdog_shard: 1 SELECT 1'],
    ['SELECT * FROM t WHERE flag = true', 'SELECT * FROM t WHERE flag = false'],
    ['SELECT * FROM T', 'SELECT * FROM t'],
    ['SELECT * FROM "t"', 'SELECT * FROM t'],
    ['SET pgdog.role = replica', 'SET pgdog.role = primary'],
    ['SELECT $1', 'SELECT $2'],
    ['SELECT 1 a', 'SELECT 1a'],
    ["SELECT N'x'", "SELECT 'x'"],
    // ICONST vs FCONST: FETCH accepts only the first.
    ['FETCH 5 FROM c', 'FETCH 99999999999 FROM c'],
    ['SELECT 2147483647', 'SELECT 2147483648'],
    ['SELECT 0x7FFFFFFF', 'SELECT 0x80000000'],
    ["SELECT B'1'", "SELECT X'1'"],
    // FLOAT(p) picks float4 or float8 by value.
    ["SELECT '1'::float(10)", "SELECT '1'::float(30)"],
    ["SELECT '1'::FLOAT ( 24 )", "SELECT '1'::FLOAT ( 25 )"],
  ];
  for (const [a, b] of different) assert.notEqual(key(a), key(b), `${a} | ${b}`);
});

test('normalize: literal spans, kinds and the char before each literal', () => {
  const text = "SELECT -5, 'é''x', E'\\t' FROM t WHERE id = - 1.5";
  const n = normalizeSql(text)!;
  const spans = n.starts.map((s, k) => text.slice(s, n.ends[k]));
  assert.deepEqual(spans, ['5', "'é''x'", "E'\\t'", '1.5']);
  assert.deepEqual(n.kinds, [LiteralKind.Int, LiteralKind.String, LiteralKind.EscapeString, LiteralKind.Numeric]);
  assert.equal(text[n.before[0]!], '-');
  assert.equal(text[n.before[3]!], '-');
  assert.equal(n.before[3], text.lastIndexOf('-'));
});

test('normalize: literals inside comments, identifiers and dollar quotes are not literals', () => {
  const n = normalizeSql('SELECT "x 1", $a$ 2 $b$ 3 $a$ /* 4 */ FROM t1 -- 5')!;
  assert.equal(n.starts.length, 1);
  assert.equal(n.kinds[0], LiteralKind.DollarString);
});

test('normalize: declines texts it cannot key faithfully', () => {
  const declined = [
    "SELECT 'abc",
    'SELECT "abc',
    'SELECT /* open',
    'SELECT $$ open',
    'SELECT $x',
    'SELECT 1abc',
    'SELECT 1..2',
    'SELECT 0x',
    'SELECT 0b12',
    'SELECT 1e',
    'SELECT 1_',
    'SELECT 1__0',
    'SELECT 1.2.3',
    "SELECT 'a'\n'b'",
    "SELECT 'a' /* c */ 'b'",
    "SELECT E'\\xff'",
    "SELECT E'\\377'",
    "SELECT E'\\u0000'",
    "SELECT E'\\uD800'",
    "SELECT E'\\u12'",
    "SELECT U&'\\zzzz'",
    "SELECT U&'!0061' UESCAPE '!'",
    'SELECT U&"a" UESCAPE \'!\'',
    'SELECT 1\0',
    "SELECT 'a\ud83d'",
  ];
  for (const q of declined) assert.equal(normalizeSql(q), null, JSON.stringify(q));
});

test('normalize: PostgreSQL 16 number syntax', () => {
  for (const q of ['SELECT 1_000', 'SELECT 0x1F', 'SELECT 0x_1F', 'SELECT 0b_1', 'SELECT 0o17', 'SELECT 0b101', 'SELECT .5', 'SELECT 5.', 'SELECT 1.5e-3', 'SELECT 1E+10']) {
    const n = normalizeSql(q);
    assert.ok(n, q);
    assert.equal(n.starts.length, 1, q);
    assert.equal(q.slice(n.starts[0], n.ends[0]), q.slice(7), q);
  }
});
