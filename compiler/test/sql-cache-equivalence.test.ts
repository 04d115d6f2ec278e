// The plan cache must never change an answer: over a generated corpus of query shapes filled
// with varied literals (signs, radixes, big integers, every string syntax, UTF-8, casts, hints,
// comments, odd whitespace), analyzeCached(q) must deep-equal analyze(q) for every query,
// whether it was a miss, a hit re-bound from another query's template, or uncacheable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanCache, analyze, loadSqlParser } from '../src/sql/index.js';
import { seededRandom as rng } from '@pgdog/testing';

await loadSqlParser();


const random = rng(20240611);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (max: number): number => Math.floor(random() * max);

const INTS = ['0', '1', '7', '42', '007', '2147483647', '2147483648', '12345678901', '9223372036854775807',
  '9223372036854775808', '99999999999999999999', '0x1F', '0XfF', '0o17', '0b101', '1_000', '0x_1F'];
const NUMERICS = ['1.5', '.5', '5.', '1e3', '2.5E-3', '1_000.000_1', '0.0', '3.14159265358979323846'];
const STRINGS = ["'abc'", "''", "'it''s'", "'ünï😀'", "'a\\b'", "'line\nbreak'", "E'tab\\t'", "E'\\x41\\102'",
  "E'\\u00e9\\U0001F600'", "E'\\''", "e'a''b'", "U&'d\\0061t'", "U&'\\+01F600'", "u&'\\\\'", '$$dollar$$',
  "$q$it's$q$", '$$$$', "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'42'", "'/* pgdog_shard: 9 */'", "'-- x'"];
const BITS = ["B'101'", "b'0'", "X'1F'", "x'ff'"];

function integer(): string {
  const v = pick(INTS);
  const r = random();
  return r < 0.2 ? `-${v}` : r < 0.25 ? `- ${v}` : v;
}
function numeric(): string {
  return random() < 0.2 ? `-${pick(NUMERICS)}` : pick(NUMERICS);
}
const string = (): string => pick(STRINGS);
const param = (): string => `$${1 + int(3)}`;
const bool = (): string => pick(['true', 'false']);
function value(): string {
  return pick([integer, integer, numeric, string, string, param, bool, () => pick(BITS)])();
}
function list(make: () => string): string {
  return Array.from({ length: 1 + int(4) }, make).join(', ');
}

const GAPS = [' ', ' ', ' ', ' ', '  ', '\n', '\t', ' /* note 1 */ ', '\n-- note 2\n'];

/** Tagged template: random whitespace / comments in the fixed text, literals verbatim. */
function sql(parts: TemplateStringsArray, ...values: string[]): string {
  let out = '';
  parts.forEach((p, i) => {
    out += random() < 0.3 ? p.replace(/ /g, () => pick(GAPS)) : p;
    if (i < values.length) out += values[i];
  });
  return out;
}

const SHAPES: Array<() => string> = [
  () => sql`SELECT * FROM users WHERE id = ${integer()}`,
  () => sql`SELECT * FROM users WHERE id = ${value()}`,
  () => sql`SELECT * FROM users u WHERE u.id = ${value()} AND u.name = ${string()}`,
  () => sql`SELECT * FROM t WHERE id IN (${list(integer)})`,
  () => sql`SELECT * FROM t WHERE name IN (${list(string)}) OR id = ${integer()}`,
  () => sql`INSERT INTO t (id, name, flag) VALUES ${list(() => `(${integer()}, ${string()}, ${bool()})`)}`,
  () => sql`INSERT INTO t (id, name) VALUES (${value()}, ${value()}) ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
  () => sql`UPDATE t SET name = ${string()} WHERE id = ${integer()} AND tenant = ${value()}`,
  () => sql`DELETE FROM t WHERE id = ${integer()} OR id = ${numeric()}`,
  () => sql`SELECT a.id, c.x FROM a JOIN b ON a.id = b.aid JOIN c ON c.bid = b.id WHERE a.id = ${value()} AND c.x = ${string()} ORDER BY a.id LIMIT ${integer()}`,
  () => sql`WITH x AS (SELECT * FROM t WHERE id = ${integer()}) SELECT * FROM x WHERE x.k = ${value()}`,
  () => sql`SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = ${integer()} AND u.t = t.id)`,
  () => sql`SET pgdog.shard = ${integer()}`,
  () => sql`SET LOCAL pgdog.sharding_key TO ${string()}`,
  () => sql`SET search_path = ${string()}, public`,
  () => sql`SET x = ${pick(['+', '-', ''])}${pick([...INTS, ...NUMERICS])}`,
  () => sql`SELECT * FROM t WHERE id = ${integer()} /* pgdog_shard: ${String(int(3))} */`,
  () => sql`/* app=web pgdog_role: ${pick(['primary', 'replica'])} */ SELECT * FROM t WHERE id = ${value()}`,
  () => sql`SELECT ${value()}, ${value()} FROM t WHERE x = ANY(ARRAY[${list(integer)}])`,
  () => sql`SELECT * FROM t WHERE id = ${string()}::uuid`,
  () => sql`SELECT * FROM t WHERE id = CAST(${string()} AS bigint) AND k = ${param()}::text`,
  () => sql`BEGIN; SELECT * FROM t WHERE id = ${integer()} FOR UPDATE; COMMIT`,
  () => sql`SELECT 'éü😀', * FROM t WHERE id = ${integer()} AND name = ${string()}`,
  () => sql`SELECT nextval(${string()})`,
  () => sql`SELECT * FROM t WHERE flag = ${bool()} AND b = ${pick(BITS)}`,
  () => sql`SELECT * FROM t WHERE data @> ${string()}::jsonb AND id = ${integer()}`,
  () => sql`COPY t (a, b) FROM STDIN WITH (FORMAT csv, DELIMITER ${string()})`,
  () => sql`SELECT * FROM t WHERE id = ${integer()} -- trailing ${integer()}`,
  () => sql`SELECT * FROM WHERE id = ${integer()}`,
  () => sql`SELECT * FROM t WHERE id = ${integer()}; UPDATE u SET a = ${value()} WHERE id = ${value()}`,
  () => sql`SELECT date ${string()}, interval ${string()}, N${string()} FROM t WHERE d = timestamp ${string()}`,
  () => sql`SELECT * FROM t WHERE id = ${integer()} UNION ALL SELECT * FROM u WHERE id = ${integer()}`,
  () => sql`SELECT arr[${integer()}:${integer()}] FROM t WHERE id = ${integer()}`,
  () => sql`SELECT * FROM t WHERE id = ${value()} ${value()}`,
  // The grammar reads these integers' values: token class, float4/float8, range checks.
  () => sql`FETCH ${pick(['0', '5', '2147483647', '2147483648', '99999999999', '0x10'])} FROM c`,
  () => sql`SELECT ${string()}::float(${pick(['0', '1', '10', '24', '25', '53', '54'])}) FROM t WHERE id = ${integer()}`,
  () => sql`ALTER INDEX i ALTER COLUMN ${pick(['0', '1', '5', '40000'])} SET STATISTICS ${integer()}`,
  () => sql`CREATE TABLE x (id int DEFAULT ${integer()}, v varchar(${pick(['1', '10', '0'])}))`,
];

test('plan cache: analyzeCached equals analyze over a generated corpus', () => {
  const corpus: string[] = [];
  for (let i = 0; i < 700; i++) corpus.push(pick(SHAPES)());
  const cache = new PlanCache({ limit: 1000 });
  // Twice: the second pass meets every shape already cached.
  for (const round of [1, 2]) {
    for (const q of corpus) {
      assert.deepStrictEqual(cache.analyzeCached(q), analyze(q), `round ${round}: ${JSON.stringify(q)}`);
    }
  }
  const s = cache.stats();
  assert.equal(s.hits + s.misses, corpus.length * 2);
  // The corpus is meant to exercise re-binding, not just misses.
  assert.ok(s.hits > corpus.length * 0.6, `too few hits: ${JSON.stringify(s)}`);
  assert.ok(s.uncacheable > 0, 'the corpus should include uncacheable texts');
});

test('plan cache: same shapes through a tiny cache (constant eviction) stay equal', () => {
  const cache = new PlanCache({ limit: 3 });
  for (let i = 0; i < 300; i++) {
    const q = pick(SHAPES)();
    assert.deepStrictEqual(cache.analyzeCached(q), analyze(q), JSON.stringify(q));
  }
  assert.ok(cache.stats().evictions > 0);
  assert.equal(cache.stats().size, 3);
});

test('plan cache: adversarial same-shape pairs re-bind to the parser answer', () => {
  const pairs: Array<[string, string]> = [
    ['SELECT * FROM t WHERE id = - /* c */ 5', 'SELECT * FROM t WHERE id = - 66'],
    ['SELECT * FROM t WHERE id = - /* pgdog_shard: 1 */ 5', 'SELECT * FROM t WHERE id = -   /* pgdog_shard: 1 */ 66'],
    ['SELECT * FROM t WHERE id = -2147483648', 'SELECT * FROM t WHERE id = -9223372036854775808'],
    ['SELECT * FROM t WHERE id IN (1, -2, 0x3)', 'SELECT * FROM t WHERE id IN (4, -5, 0x6_0)'],
    ['SET search_path TO "$user", \'x\'', 'SET search_path TO "$user", \'yy\''],
    ["SET TIME ZONE INTERVAL '+01:00' HOUR TO MINUTE", "SET TIME ZONE INTERVAL '+02:30' HOUR TO MINUTE"],
    ["SELECT * FROM tëst WHERE id = 5 AND n = 'ü'", "SELECT * FROM tëst WHERE id = 66 AND n = '😀x'"],
    ["INSERT INTO t (id, n) VALUES (E'\\x41', 1), ('b', 2)", "INSERT INTO t (id, n) VALUES (E'\\u00e9\\\\', 3), ($$c'$$, 4)"],
    ['/* pgdog_shard: 1 */ SELECT * FROM t WHERE id = 1', '/* pgdog_shard: 1 */ SELECT * FROM t WHERE id = 2'],
    ['-- pgdog_role: replica\nSELECT * FROM t WHERE id = 1', '-- pgdog_role: replica\n  SELECT * FROM t WHERE id = 2'],
    ['SELECT * FROM t WHERE id = 1;SELECT * FROM u WHERE id = 2', 'SELECT * FROM t WHERE id = 3;SELECT * FROM u WHERE id = 4'],
    ["SELECT * FROM t WHERE id = ANY(ARRAY['a', 'b'])", "SELECT * FROM t WHERE id = ANY(ARRAY['c', 'dd'])"],
    ["SELECT * FROM t WHERE b = B'1' AND x = X'F'", "SELECT * FROM t WHERE b = B'0101' AND x = X'ab'"],
    ["SELECT U&'\\0041' FROM t WHERE n = U&'\\0042'", "SELECT U&'\\0043' FROM t WHERE n = U&'\\+01F600'"],
    ["SELECT * FROM t WHERE id = 'x'::uuid AND k = $1", "SELECT * FROM t WHERE id = 'yy'::uuid AND k = $1"],
    ['SET x = +1', 'SET x = +22'],
    ['SELECT * FROM t WHERE id = 1.5e3', 'SELECT * FROM t WHERE id = .5'],
    ["SELECT '1'::float(10)", "SELECT '2'::float(10)"],
  ];
  const cache = new PlanCache({ limit: 100 });
  for (const [a, b] of pairs) {
    assert.deepStrictEqual(cache.analyzeCached(a), analyze(a), a);
    const hits = cache.stats().hits;
    assert.deepStrictEqual(cache.analyzeCached(b), analyze(b), b);
    assert.equal(cache.stats().hits, hits + 1, `expected a cache hit for ${JSON.stringify(b)}`);
  }
});
