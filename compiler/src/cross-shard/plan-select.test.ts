import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser } from '../sql/parser.js';
import { planCrossShardSelect } from './plan-select.js';
import type { CrossShardPlan } from './plan-types.js';

before(() => loadSqlParser());

function plan(sql: string): CrossShardPlan {
  const r = planCrossShardSelect(sql);
  assert.ok(r.ok, r.ok ? '' : r.refusal.message);
  return r.plan;
}

function refused(sql: string): string {
  const r = planCrossShardSelect(sql);
  assert.ok(!r.ok, `expected a refusal: ${sql}`);
  return r.refusal.feature;
}

describe('planCrossShardSelect: shard SQL', () => {
  it('pushes LIMIT + OFFSET down and drops OFFSET', () => {
    const p = plan('SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 5');
    assert.equal(p.shardSql.trim(), 'SELECT a FROM t ORDER BY a LIMIT 15');
    assert.deepEqual(p.limit, { kind: 'literal', value: '10' });
    assert.deepEqual(p.offset, { kind: 'literal', value: '5' });
    assert.equal(p.streaming, true);
  });

  it('keeps parameters referenced with their numbers', () => {
    assert.equal(plan('SELECT a FROM t ORDER BY a LIMIT $1 OFFSET $2').shardSql.trim(), 'SELECT a FROM t ORDER BY a LIMIT ($1::bigint + coalesce($2::bigint, 0))');
    assert.match(plan('SELECT a FROM t ORDER BY a OFFSET $1').shardSql, /OFFSET \(0 \* \$1::bigint\)/);
    assert.match(plan('SELECT k, count(*) FROM t GROUP BY k HAVING count(*) > $1 LIMIT $2').shardSql,
      /HAVING \( count\(\*\) > \$1\) OR TRUE LIMIT \(NULL::bigint \+ \$2::bigint\)/);
  });

  it('appends hidden columns for ORDER BY expressions not in the select list', () => {
    const p = plan('SELECT a AS x, b FROM t ORDER BY lower(c) DESC, x, 2 NULLS FIRST');
    assert.equal(p.shardSql, 'SELECT a AS x, b, lower(c) FROM t ORDER BY lower(c) DESC, x, 2 NULLS FIRST');
    assert.equal(p.hiddenColumns, 1);
    assert.deepEqual(p.orderBy, [
      { column: { kind: 'hidden', index: 0 }, descending: true, nullsFirst: true },
      { column: { kind: 'start', index: 0 }, descending: false, nullsFirst: false },
      { column: { kind: 'start', index: 1 }, descending: false, nullsFirst: true },
    ]);
  });

  it('addresses columns after * from the end', () => {
    const p = plan('SELECT *, a + 1 AS y FROM t ORDER BY y');
    assert.deepEqual(p.orderBy[0]!.column, { kind: 'end', index: 0 });
  });

  it('plans avg as sum and count partials, HAVING evaluated after combining', () => {
    const p = plan('SELECT k, avg(x) FROM t GROUP BY k, j HAVING max(x) > 3');
    assert.equal(p.shardSql, 'SELECT k, avg(x), sum(x), count(x), j, max(x) FROM t GROUP BY k, j HAVING ( max(x) > 3) OR TRUE');
    assert.equal(p.hiddenColumns, 4);
    const agg = p.aggregate!;
    assert.deepEqual(agg.groupBy, [{ kind: 'start', index: 0 }, { kind: 'hidden', index: 2 }]);
    assert.deepEqual(agg.aggregates.map((a) => a.fn), ['avg', 'max']);
    assert.deepEqual(agg.having, { op: 'compare', operator: '>', left: { kind: 'column', column: { kind: 'hidden', index: 3 } }, right: { kind: 'literal', text: '3' } });
    assert.equal(p.streaming, false);
  });

  it('works with multi-byte text before the splice points', () => {
    const p = plan("SELECT a FROM t WHERE b = 'épée 日本' ORDER BY c LIMIT 1");
    assert.equal(p.shardSql.trim(), "SELECT a, c FROM t WHERE b = 'épée 日本' ORDER BY c LIMIT 1");
  });
});

describe('planCrossShardSelect: a cast count', () => {
  it('count(...)::int / CAST(count(...) AS numeric) merge as count (their shard values add exactly)', () => {
    for (const sql of ['SELECT count(*)::int AS n FROM t', 'SELECT k, CAST(count(a) AS numeric) FROM t GROUP BY k', 'SELECT count(*)::int8 FROM t']) {
      const p = plan(sql);
      assert.equal(p.aggregate?.aggregates.length, 1, sql);
      assert.equal(p.aggregate?.aggregates[0]!.fn, 'count', sql);
    }
  });
});

describe('planCrossShardSelect: refusals name the feature', () => {
  const cases: [string, RegExp][] = [
    ['SELECT row_number() OVER () FROM t', /window function row_number/],
    ['SELECT DISTINCT ON (a) a FROM t', /DISTINCT ON/],
    ['SELECT count(DISTINCT a) FROM t', /count\(DISTINCT/],
    ['SELECT string_agg(a, \',\') FROM t', /aggregate string_agg/],
    ['SELECT sum(a) + 1 FROM t', /aggregate inside an expression/],
    ['SELECT sum(a)::int FROM t', /aggregate inside an expression/],
    ['SELECT min(a)::text FROM t', /aggregate inside an expression/],
    ['SELECT a FROM t UNION SELECT a FROM u', /UNION/],
    ['SELECT a FROM t GROUP BY ROLLUP (a)', /GROUPING SETS/],
    ['SELECT k FROM t GROUP BY k ORDER BY count(*) + 1', /ORDER BY on an expression of aggregates/],
    ['SELECT a FROM t WHERE a > (SELECT avg(a) FROM t)', /aggregate avg\(\) in a subquery/],
    ['SELECT a FROM t ORDER BY a LIMIT 2 + 3', /LIMIT with an expression/],
    ['SELECT a FROM t ORDER BY a COLLATE "en_US"', /COLLATE/],
    ['SELECT k FROM t GROUP BY k HAVING sum(a) * 2 > 3', /HAVING/],
    ['UPDATE t SET a = 1', /UpdateStmt/],
  ];
  for (const [sql, feature] of cases) it(sql, () => assert.match(refused(sql), feature));

  it('allows nested reductions when the caller vouches for co-location', () => {
    const r = planCrossShardSelect('SELECT a FROM t WHERE a > (SELECT avg(a) FROM t)', { allowNestedReductions: true });
    assert.ok(r.ok);
  });
});
