import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleExpr } from './ast.js';
import { parseRuleExpression } from './expression.js';
import { formatRuleExpr } from './format.js';
import { serializeRules } from './serialize.js';

/** The AST without source spans (what the routing table stores). */
function ast(src: string): RuleExpr {
  const r = parseRuleExpression(src);
  assert.deepEqual(r.problems, [], `unexpected problems for ${src}`);
  assert.ok(r.expr);
  return serializeRules([{ index: 0, name: 'x', match: src, expr: r.expr, route: { kind: 'primary' }, test: () => true }])[0].expr;
}

const flag = (f: string) => ({ type: 'flag', flag: f });

test('every flag parses to a flag node', () => {
  for (const f of ['select', 'insert', 'update', 'delete', 'ddl', 'copy', 'write', 'read', 'locking', 'in_transaction']) {
    assert.deepEqual(ast(f), flag(f));
  }
});

test('equality comparisons on every field that accepts them', () => {
  for (const field of ['table', 'user', 'database', 'application_name', 'fingerprint']) {
    assert.deepEqual(ast(`${field} = 'a'`), { type: 'compare', field, op: '=', values: ['a'] });
    assert.deepEqual(ast(`${field} != 'a'`), { type: 'compare', field, op: '!=', values: ['a'] });
    assert.deepEqual(ast(`${field} <> 'a'`), { type: 'compare', field, op: '!=', values: ['a'] });
    assert.deepEqual(ast(`${field} in ('a', 'b')`), { type: 'compare', field, op: 'in', values: ['a', 'b'] });
    assert.deepEqual(ast(`${field} not in ('a')`), { type: 'compare', field, op: 'not in', values: ['a'] });
  }
});

test('regex comparisons: ~, ~*, !~, !~*', () => {
  for (const field of ['table', 'user', 'database', 'application_name', 'query']) {
    assert.deepEqual(ast(`${field} ~ '^a'`), { type: 'regex', field, pattern: '^a', ignoreCase: false, negated: false });
    assert.deepEqual(ast(`${field} ~* '^a'`), { type: 'regex', field, pattern: '^a', ignoreCase: true, negated: false });
    assert.deepEqual(ast(`${field} !~ '^a'`), { type: 'regex', field, pattern: '^a', ignoreCase: false, negated: true });
    assert.deepEqual(ast(`${field} !~* '^a'`), { type: 'regex', field, pattern: '^a', ignoreCase: true, negated: true });
  }
});

test('calls() takes bare or quoted names, lowercased, qualified allowed', () => {
  assert.deepEqual(ast("calls(nextval, 'SetVal', pg_catalog.pg_advisory_lock)"), { type: 'calls', names: ['nextval', 'setval', 'pg_catalog.pg_advisory_lock'] });
  assert.deepEqual(ast('calls(now)'), { type: 'calls', names: ['now'] });
});

test("strings: '' is a quote, backslashes are literal, newlines allowed", () => {
  assert.deepEqual(ast("user = 'o''brien'"), { type: 'compare', field: 'user', op: '=', values: ["o'brien"] });
  assert.deepEqual(ast("query ~ '\\d+'"), { type: 'regex', field: 'query', pattern: '\\d+', ignoreCase: false, negated: false });
  assert.deepEqual(ast("user = ''"), { type: 'compare', field: 'user', op: '=', values: [''] });
  assert.deepEqual(ast("query ~ 'a\nb'"), { type: 'regex', field: 'query', pattern: 'a\nb', ignoreCase: false, negated: false });
});

test('precedence: not binds tighter than and, and tighter than or', () => {
  assert.deepEqual(ast('select or insert and update'), { type: 'or', items: [flag('select'), { type: 'and', items: [flag('insert'), flag('update')] }] });
  assert.deepEqual(ast('select and insert or update'), { type: 'or', items: [{ type: 'and', items: [flag('select'), flag('insert')] }, flag('update')] });
  assert.deepEqual(ast('not select and insert'), { type: 'and', items: [{ type: 'not', item: flag('select') }, flag('insert')] });
  assert.deepEqual(ast('not select or insert'), { type: 'or', items: [{ type: 'not', item: flag('select') }, flag('insert')] });
  assert.deepEqual(ast('not (select or insert)'), { type: 'not', item: { type: 'or', items: [flag('select'), flag('insert')] } });
  assert.deepEqual(ast('(select or insert) and update'), { type: 'and', items: [{ type: 'or', items: [flag('select'), flag('insert')] }, flag('update')] });
  assert.deepEqual(ast('not not select'), flag('select'));
  assert.deepEqual(ast('not not not select'), { type: 'not', item: flag('select') });
  assert.deepEqual(ast('not (not select)'), { type: 'not', item: { type: 'not', item: flag('select') } });
});

test('and / or chains are flattened, also across parentheses', () => {
  assert.deepEqual(ast('select and (insert and update) and delete'), { type: 'and', items: ['select', 'insert', 'update', 'delete'].map(flag) });
  assert.deepEqual(ast('(select or insert) or (update or delete)'), { type: 'or', items: ['select', 'insert', 'update', 'delete'].map(flag) });
  assert.deepEqual(ast('((select))'), flag('select'));
});

test('keywords, flags, fields and function names are case-insensitive; values are not', () => {
  assert.deepEqual(
    ast("SELECT And NOT Locking OR Table IN ('Events') or USER Not In ('Bob') or CALLS(NEXTVAL)"),
    ast("select and not locking or table in ('Events') or user not in ('Bob') or calls(nextval)"),
  );
  assert.deepEqual(ast("TABLE = 'Events'"), { type: 'compare', field: 'table', op: '=', values: ['Events'] });
});

test('whitespace, newlines and -- comments are insignificant', () => {
  assert.deepEqual(ast("select   and\n  -- only the events table\n  table = 'events'   "), ast("select and table = 'events'"));
  assert.deepEqual(ast('select\r\nand\tinsert'), ast('select and insert'));
});

test('words that start with a keyword are not keywords', () => {
  assert.deepEqual(ast('in_transaction and not insert'), { type: 'and', items: [flag('in_transaction'), { type: 'not', item: flag('insert') }] });
});

test('spans point at the source of each node', () => {
  const r = parseRuleExpression("select and (table = 'a' or write)");
  assert.ok(r.expr && r.expr.type === 'and');
  assert.deepEqual(r.expr.span, { offset: 0, end: 33 });
  assert.deepEqual(r.expr.items[0].span, { offset: 0, end: 6 });
  assert.deepEqual(r.expr.items[1].span, { offset: 11, end: 33 });
  const inner = r.expr.items[1];
  assert.ok(inner.type === 'or');
  assert.deepEqual(inner.items[0].span, { offset: 12, end: 23 });
});

test('formatRuleExpr prints canonical text that parses back to the same AST', () => {
  const sources = [
    "select and table in ('events', 'page_views') and not locking",
    'select or insert and update',
    '(select or insert) and not (update or delete)',
    "not (user = 'a' and database != 'b') or application_name ~* '^psql$'",
    "query !~ 'it''s' and calls(nextval, 'and', \"x\")".replace('"x"', "'x y'"),
    "fingerprint not in ('1', '2') or table !~* 'x'",
    'not (not in_transaction)',
  ];
  for (const s of sources) {
    const once = formatRuleExpr(ast(s));
    assert.deepEqual(ast(once), ast(s), s);
    assert.equal(formatRuleExpr(ast(once)), once);
  }
  assert.equal(formatRuleExpr(ast('SELECT OR (INSERT AND UPDATE)')), 'select or insert and update');
  assert.equal(formatRuleExpr(ast('(select or insert) and update')), '(select or insert) and update');
  assert.equal(formatRuleExpr(ast("calls('and', 'x y', f)")), "calls('and', 'x y', f)");
});
