import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleFacts, StatementKind } from './ast.js';
import { parseRuleExpression } from './expression.js';
import { buildMatcher } from './matcher.js';

function facts(over: Partial<RuleFacts> = {}): RuleFacts {
  return {
    kind: 'select', write: false, locking: false, inTransaction: false, tables: [], calls: [],
    user: 'app', database: 'prod', applicationName: '', query: 'SELECT 1', fingerprint: 'f0', ...over,
  };
}

function matches(src: string, f: Partial<RuleFacts>): boolean {
  const r = parseRuleExpression(src);
  assert.ok(r.expr, `${src}: ${JSON.stringify(r.problems)}`);
  return buildMatcher(r.expr)(facts(f));
}

const KINDS: StatementKind[] = ['select', 'insert', 'update', 'delete', 'copy', 'ddl', 'set', 'transaction', 'other'];

test('kind flags are true exactly for their statement kind', () => {
  for (const flag of ['select', 'insert', 'update', 'delete', 'copy', 'ddl']) {
    for (const kind of KINDS) assert.equal(matches(flag, { kind }), flag === kind, `${flag} on ${kind}`);
  }
});

test('write / read / locking / in_transaction read their facts; read is not write', () => {
  for (const write of [false, true]) {
    assert.equal(matches('write', { write }), write);
    assert.equal(matches('read', { write }), !write);
  }
  assert.equal(matches('locking', { locking: true }), true);
  assert.equal(matches('locking', { locking: false }), false);
  assert.equal(matches('in_transaction', { inTransaction: true }), true);
  assert.equal(matches('in_transaction', { inTransaction: false }), false);
});

test('and / or / not truth tables', () => {
  for (const write of [false, true]) {
    for (const locking of [false, true]) {
      const f = { write, locking };
      assert.equal(matches('write and locking', f), write && locking);
      assert.equal(matches('write or locking', f), write || locking);
      assert.equal(matches('not write', f), !write);
      assert.equal(matches('not write and locking', f), !write && locking);
      assert.equal(matches('not (write and locking)', f), !(write && locking));
      assert.equal(matches('write or not locking and write', f), write || (!locking && write));
      assert.equal(matches('write and locking and in_transaction or read', { ...f, inTransaction: true }), (write && locking) || !write);
      assert.equal(matches('read or write or locking', f), true);
    }
  }
});

test('scalar fields: =, !=, in, not in', () => {
  const cases: [string, Partial<RuleFacts>, boolean][] = [
    ["user = 'app'", { user: 'app' }, true],
    ["user = 'app'", { user: 'App' }, false],
    ["user != 'app'", { user: 'app' }, false],
    ["user != 'app'", { user: 'bob' }, true],
    ["user in ('a', 'b', 'app')", { user: 'app' }, true],
    ["user in ('a', 'b')", { user: 'app' }, false],
    ["user not in ('a', 'b')", { user: 'app' }, true],
    ["user not in ('a', 'app')", { user: 'app' }, false],
    ["database = 'prod'", { database: 'prod' }, true],
    ["database in ('dev', 'test')", { database: 'prod' }, false],
    ["application_name = ''", { applicationName: '' }, true],
    ["application_name = 'psql'", { applicationName: 'psql' }, true],
    ["application_name != 'psql'", { applicationName: 'pgbench' }, true],
    ["fingerprint = 'abc'", { fingerprint: 'abc' }, true],
    ["fingerprint in ('x', 'abc')", { fingerprint: 'abc' }, true],
    ["fingerprint != 'abc'", { fingerprint: 'abc' }, false],
  ];
  for (const [src, f, want] of cases) assert.equal(matches(src, f), want, `${src} on ${JSON.stringify(f)}`);
});

test('regexes: unanchored search, ~* ignores case, !~ negates, . matches newlines', () => {
  const cases: [string, Partial<RuleFacts>, boolean][] = [
    ["query ~ 'pg_sleep'", { query: 'SELECT pg_sleep(1)' }, true],
    ["query ~ '^select'", { query: 'SELECT 1' }, false],
    ["query ~* '^select'", { query: 'SELECT 1' }, true],
    ["query !~ 'pg_sleep'", { query: 'SELECT pg_sleep(1)' }, false],
    ["query !~* 'PG_SLEEP'", { query: 'select 1' }, true],
    ["query ~ 'from.*where'", { query: 'select *\nfrom t\nwhere x' }, true],
    ["query ~ '^from'", { query: 'select *\nfrom t' }, false],
    ["application_name ~ '^metabase'", { applicationName: 'metabase-1' }, true],
    ["user ~ '^report_'", { user: 'report_bot' }, true],
    ["user ~ '^report_'", { user: 'app' }, false],
    ["database !~ 'prod'", { database: 'staging' }, true],
  ];
  for (const [src, f, want] of cases) assert.equal(matches(src, f), want, `${src} on ${JSON.stringify(f)}`);
});

test('a compiled regex gives the same answer on every call (no lastIndex state)', () => {
  const r = parseRuleExpression("query ~ 'a'");
  const m = buildMatcher(r.expr!);
  for (let i = 0; i < 5; i++) assert.equal(m(facts({ query: 'aaa' })), true);
});

test('table: any table of the statement; != / not in / !~ mean no table does', () => {
  const join = { tables: ['orders', 'public.users', 'sales.events'] };
  const cases: [string, Partial<RuleFacts>, boolean][] = [
    ["table = 'orders'", join, true],
    ["table = 'users'", join, true],
    ["table = 'events'", join, true],
    ["table = 'items'", join, false],
    ["table = 'orders' and table = 'users'", join, true],
    ["table != 'orders'", join, false],
    ["table != 'items'", join, true],
    ["table in ('items', 'events')", join, true],
    ["table not in ('items', 'events')", join, false],
    ["table not in ('items', 'stock')", join, true],
    ["table = 'orders'", { tables: [] }, false],
    ["table != 'orders'", { tables: [] }, true],
    ["table ~ '^ord'", join, true],
    ["table ~ '^sales\\.'", join, true],
    ["table !~ '^ord'", join, false],
    ["table ~* '^USERS$'", join, true],
  ];
  for (const [src, f, want] of cases) assert.equal(matches(src, f), want, `${src} on ${JSON.stringify(f)}`);
});

test('table names: unqualified matches any schema, qualified matches that schema (bare = public)', () => {
  const cases: [string, string[], boolean][] = [
    ["table = 'x'", ['x'], true],
    ["table = 'x'", ['public.x'], true],
    ["table = 'x'", ['sales.x'], true],
    ["table = 'x'", ['xx', 'ax', 'x.y'], false],
    ["table = 'public.x'", ['x'], true],
    ["table = 'public.x'", ['public.x'], true],
    ["table = 'public.x'", ['sales.x'], false],
    ["table = 'sales.x'", ['x'], false],
    ["table = 'sales.x'", ['sales.x'], true],
    ["table in ('public.x', 'y')", ['x'], true],
    ["table in ('public.x', 'y')", ['other.y'], true],
    ["table in ('sales.x', 'y')", ['x'], false],
    ["table in ('sales.x', 'y')", ['sales.x'], true],
    ["table ~ '^public\\.x$'", ['x'], true],
    ["table ~ '^x$'", ['sales.x'], true],
    ["table ~ '^public\\.'", ['sales.x'], false],
  ];
  for (const [src, tables, want] of cases) assert.equal(matches(src, { tables }), want, `${src} on ${tables}`);
});

test('calls(): any called function; unqualified matches any schema; no default schema', () => {
  const cases: [string, string[], boolean][] = [
    ['calls(nextval)', ['nextval'], true],
    ['calls(nextval)', ['pg_catalog.nextval'], true],
    ['calls(nextval, setval)', ['now', 'setval'], true],
    ['calls(nextval)', ['now'], false],
    ['calls(nextval)', [], false],
    ['calls(pg_catalog.nextval)', ['pg_catalog.nextval'], true],
    ['calls(pg_catalog.nextval)', ['nextval'], false],
    ['calls(public.f)', ['f'], false],
    ['not calls(pg_sleep)', ['pg_sleep'], false],
    ["calls('NEXTVAL')", ['nextval'], true],
  ];
  for (const [src, calls, want] of cases) assert.equal(matches(src, { calls }), want, `${src} on ${calls}`);
});

test('a realistic rule', () => {
  const src = "select and table in ('events', 'page_views') and not locking and not in_transaction";
  assert.equal(matches(src, { tables: ['events'] }), true);
  assert.equal(matches(src, { tables: ['analytics.page_views', 'users'] }), true);
  assert.equal(matches(src, { tables: ['events'], locking: true, write: true }), false);
  assert.equal(matches(src, { tables: ['events'], inTransaction: true }), false);
  assert.equal(matches(src, { kind: 'insert', write: true, tables: ['events'] }), false);
  assert.equal(matches(src, { tables: ['users'] }), false);
});
