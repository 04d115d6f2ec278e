import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleInput } from './ast.js';
import { analyzeRules } from './analyze.js';
import { compileRules } from './compile.js';

function rule(match: string, extra: Partial<RuleInput> = {}): Omit<RuleInput, 'name'> {
  return { match, route: 'primary', ...extra };
}

/** Warnings as `CODE name` (+ related rule names for shadowing). */
function warn(...rules: Omit<RuleInput, 'name'>[]): string[] {
  const inputs = rules.map((r, i) => ({ name: `r${i}`, ...r }));
  const { errors, warnings } = compileRules(inputs);
  assert.deepEqual(errors, []);
  return warnings.map((w) => `${w.code} ${w.ruleName}${w.related ? ` by ${w.related.map((i) => `r${i}`).join(',')}` : ''}`);
}

const never = (m: string, extra: Partial<RuleInput> = {}) => warn(rule(m, extra));

test('contradictions are warned', () => {
  const contradictory = [
    'select and insert',
    'update and not update',
    'write and read',
    'not (locking or not locking)',
    'insert and read',
    'delete and read',
    'ddl and read',
    'update and not write',
    'locking and read',
    'select and (insert or update)',
    "user = 'a' and user = 'b'",
    "user in ('a', 'b') and user not in ('a', 'b')",
    "user in ('a', 'b') and user in ('c')",
    "database = 'x' and database != 'x'",
    "table = 'a' and table != 'a'",
    "table = 'public.a' and table != 'a'",
    "table in ('a', 'b') and table not in ('a', 'b', 'c')",
    "table = 'a' and table !~ '^a$'",
    "table = 'sales.a' and table !~ '^sales'",
    "query ~ 'x' and query !~ 'x'",
    "table ~ 'x' and not table ~ 'x'",
    "user = 'bob' and user ~ '^report_'",
    "user = 'bob' and user !~ 'b'",
    "application_name in ('psql', 'pgbench') and application_name ~* '^metabase'",
    'calls(nextval) and not calls(nextval, setval)',
    'calls(pg_catalog.nextval) and not calls(nextval)',
    "fingerprint = 'a' and fingerprint = 'b'",
    '(select or insert) and (update or delete)',
    'in_transaction and not in_transaction',
  ];
  for (const m of contradictory) assert.deepEqual(never(m), ['W_RULE_NEVER_MATCHES r0'], m);
});

test('the scope takes part: a database-scoped rule that tests another database', () => {
  assert.deepEqual(never("database = 'dev' and select", { database: 'prod' }), ['W_RULE_NEVER_MATCHES r0']);
  assert.deepEqual(never("user != 'bob'", { user: 'bob' }), ['W_RULE_NEVER_MATCHES r0']);
  assert.deepEqual(never("database = 'prod' and select", { database: 'prod' }), []);
});

test('satisfiable rules are not warned (tables and calls are sets; select may write)', () => {
  const fine = [
    "table = 'a' and table = 'b'",
    "table = 'a' and table != 'b'",
    "table = 'a' and table != 'public.a'",
    "table = 'a' and table !~ '^b'",
    "table ~ 'a' and table !~ 'b'",
    'calls(nextval) and calls(setval)',
    'calls(nextval) and not calls(pg_catalog.nextval)',
    'select and write',
    'select and write and not locking',
    'copy and read',
    'copy and write',
    'select and locking',
    'select and in_transaction and read',
    "user = 'a' or user = 'b'",
    "user in ('a', 'b') and user != 'a'",
    "user = 'report_x' and user ~ '^report_'",
    "query ~ 'a' and query ~ 'b'",
    "query ~ 'a' and query !~ 'b'",
    "query ~ 'a' and query !~* 'a'",
    'not (select and insert)',
    'write or read',
  ];
  for (const m of fine) assert.deepEqual(never(m), [], m);
});

test('shadowing by one earlier rule, with equal or broader scope', () => {
  assert.deepEqual(warn(rule('select'), rule("select and table = 'x'")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule('select and not locking'), rule("select and not locking and table in ('a', 'b')")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule("table in ('a', 'b')"), rule("table = 'a'")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule("table = 'a'"), rule("table = 'public.a'")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule('write'), rule('insert')), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule('write'), rule('select and locking')), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule('select'), rule('select', { database: 'prod' })), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule('select', { database: 'prod' }), rule("select and database = 'prod'")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule('select', { user: 'bob' }), rule('select', { user: 'bob', database: 'prod' })), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule("query ~* 'x'"), rule("query ~* 'x' and in_transaction")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule("user != 'a'"), rule("user = 'b'")), ['W_RULE_SHADOWED r1 by r0']);
  assert.deepEqual(warn(rule("not calls(pg_sleep)"), rule("read and not calls(pg_sleep, now)")), ['W_RULE_SHADOWED r1 by r0']);
});

test('shadowing by several earlier rules together names only the needed ones', () => {
  assert.deepEqual(warn(rule('write'), rule('read'), rule('select')), ['W_RULE_SHADOWED r2 by r0,r1']);
  assert.deepEqual(
    warn(rule('select and not locking'), rule("table = 'x'"), rule('write'), rule('select')),
    ['W_RULE_SHADOWED r3 by r0,r2'],
  );
  assert.deepEqual(warn(rule("user = 'a'"), rule("user != 'a'"), rule('copy')), ['W_RULE_SHADOWED r2 by r0,r1']);
});

test('not shadowed: narrower earlier scope, partial overlap, later rules, contradictory earlier rules', () => {
  assert.deepEqual(warn(rule('select', { database: 'prod' }), rule('select')), []);
  assert.deepEqual(warn(rule('select', { user: 'bob' }), rule('select and not locking')), []);
  assert.deepEqual(warn(rule("table = 'public.a'"), rule("table = 'a'")), []);
  assert.deepEqual(warn(rule("table = 'a'"), rule("table = 'b'")), []);
  assert.deepEqual(warn(rule("table = 'a' and table = 'b'"), rule("table = 'a'")), []);
  assert.deepEqual(warn(rule('select and not locking'), rule('select')), []);
  assert.deepEqual(warn(rule("select and table = 'x'"), rule('select')), []);
  assert.deepEqual(warn(rule("query ~ 'x'"), rule("query ~* 'x'")), []);
  assert.deepEqual(warn(rule("query ~ 'a'"), rule("query ~ 'a|b'")), []);
  assert.deepEqual(warn(rule('select'), rule('write')), []);
  assert.deepEqual(warn(rule('copy'), rule('write')), []);
  assert.deepEqual(warn(rule('insert'), rule('update'), rule('write')), []);
  assert.deepEqual(warn(rule('select and insert'), rule('select')), ['W_RULE_NEVER_MATCHES r0']);
});

test('block rules run first: they shadow rules above them, and only block rules shadow a block rule', () => {
  assert.deepEqual(
    warn(rule("select and table = 'secret'", { route: 'replica' }), rule("table = 'secret'", { route: 'block' })),
    ['W_RULE_SHADOWED r0 by r1'],
  );
  const [w] = compileRules([
    { name: 'reports', match: "select and table = 'secret'", route: 'replica' },
    { name: 'deny', match: "table = 'secret'", route: 'block' },
  ]).warnings;
  assert.equal(w.message, 'rule `reports` never applies: every statement it matches is blocked by rule `deny` (block rules are checked before all others)');
  // An earlier routing rule does not stop a later block rule.
  assert.deepEqual(warn(rule("table = 'secret'", { route: 'replica' }), rule("select and table = 'secret'", { route: 'block' })), []);
  assert.deepEqual(warn(rule('ddl', { route: 'block' }), rule("ddl and user = 'admin'", { route: 'block' })), ['W_RULE_SHADOWED r1 by r0']);
});

test('W_RULE_MESSAGE_IGNORED for a message on a non-block rule', () => {
  const { warnings } = compileRules([{ name: 'x', match: 'select', route: 'replica', message: 'nope' }]);
  assert.deepEqual(warnings.map((w) => [w.code, w.key]), [['W_RULE_MESSAGE_IGNORED', 'message']]);
  assert.deepEqual(compileRules([{ name: 'x', match: 'select', route: 'block', message: 'nope' }]).warnings, []);
});

test('analysis is bounded: an exploding DNF is skipped, not computed', () => {
  // (a1 or b1) and (a2 or b2) and ... has 2^12 terms in DNF, none of them contradictory.
  const big = Array.from({ length: 12 }, (_, i) => `(table = 'a${i}' or calls(f${i}))`).join(' and ');
  const { rules } = compileRules([{ name: 'big', match: big, route: 'primary' }], { analyze: false });
  const started = process.hrtime.bigint();
  const result = analyzeRules(rules, { maxTerms: 256 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.deepEqual(result, { warnings: [], skipped: [0] });
  assert.ok(ms < 5000, `analysis took ${ms} ms`);
  // With room enough, the same rule is analysed (and is satisfiable).
  assert.deepEqual(analyzeRules(rules, { maxTerms: 5000 }).skipped, []);
  // Contradictory branches are pruned while multiplying out, so this one stays small (13 terms).
  const pruned = Array.from({ length: 12 }, (_, i) => `(user = 'a${i}' or table = 'b${i}')`).join(' and ');
  const small = compileRules([{ name: 'pruned', match: pruned, route: 'primary' }], { analyze: false }).rules;
  assert.deepEqual(analyzeRules(small, { maxTerms: 20 }).skipped, []);
});

test('the step budget stops the analysis of large rule lists', () => {
  const inputs = Array.from({ length: 40 }, (_, i) => ({ name: `r${i}`, match: `select and (table = 't${i}' or user = 'u${i}')`, route: 'primary' }));
  const { rules } = compileRules(inputs, { analyze: false });
  const result = analyzeRules(rules, { maxSteps: 50 });
  assert.ok(result.skipped.length > 0);
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(analyzeRules(rules).skipped, []);
});
