import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules } from './compile.js';
import type { RuleDiagnostic } from './diagnostics.js';

function errorsOf(match: string): RuleDiagnostic[] {
  return compileRules([{ name: 'r', match, route: 'primary' }], { analyze: false }).errors;
}

/** The single error of `match`, as `CODE line:column`. */
function one(match: string): string {
  const errs = errorsOf(match);
  assert.equal(errs.length, 1, `expected one error for ${JSON.stringify(match)}, got ${JSON.stringify(errs)}`);
  const e = errs[0];
  assert.equal(e.key, 'match');
  assert.equal(e.severity, 'error');
  return `${e.code} ${e.line}:${e.column}`;
}

test('E_RULE_EMPTY for empty, blank and comment-only expressions', () => {
  assert.equal(one(''), 'E_RULE_EMPTY 1:1');
  assert.equal(one('   \n  '), 'E_RULE_EMPTY 1:1');
  assert.equal(one('-- nothing here\n'), 'E_RULE_EMPTY 1:1');
});

test('E_RULE_SYNTAX positions', () => {
  assert.equal(one('select insert'), 'E_RULE_SYNTAX 1:8');
  assert.equal(one('select and'), 'E_RULE_SYNTAX 1:11');
  assert.equal(one('select and\n  '), 'E_RULE_SYNTAX 1:11');
  assert.equal(one('(select or insert'), 'E_RULE_SYNTAX 1:18');
  assert.equal(one('select)'), 'E_RULE_SYNTAX 1:7');
  assert.equal(one("table in ()"), 'E_RULE_SYNTAX 1:11');
  assert.equal(one("table in ('a',)"), 'E_RULE_SYNTAX 1:15');
  assert.equal(one('select @ insert'), 'E_RULE_SYNTAX 1:8');
  assert.equal(one("select and\n   table = events"), 'E_RULE_SYNTAX 2:12');
  assert.equal(one('select and\n\n  (insert or'), 'E_RULE_SYNTAX 3:13');
  assert.equal(one('table = 5'), 'E_RULE_SYNTAX 1:9');
  assert.equal(one('calls()'), 'E_RULE_SYNTAX 1:7');
  assert.equal(one('calls(1)'), 'E_RULE_SYNTAX 1:7');
  assert.equal(one('calls'), 'E_RULE_SYNTAX 1:1');
  assert.equal(one('and select'), 'E_RULE_SYNTAX 1:1');
});

test('E_RULE_SYNTAX hints for habits from other languages', () => {
  const cases: [string, string][] = [
    ['select && insert', 'write `and`'],
    ['select || insert', 'write `or`'],
    ["user == 'a'", 'write `='],
    ['!select', 'write `not`'],
    ['user = "bob"', "write 'bob'"],
    ['table = events', "quote it: 'events'"],
    ['select insert', 'join conditions with `and` or `or`'],
  ];
  for (const [src, hint] of cases) {
    const [e] = errorsOf(src);
    assert.equal(e.code, 'E_RULE_SYNTAX', src);
    assert.ok(e.hint?.startsWith(hint), `${src}: ${e.hint}`);
  }
});

test('E_RULE_UNTERMINATED_STRING points at the opening quote', () => {
  assert.equal(one("user = 'bob"), 'E_RULE_UNTERMINATED_STRING 1:8');
  assert.equal(one("select and\n  user = 'it''s"), 'E_RULE_UNTERMINATED_STRING 2:10');
});

test('E_RULE_UNKNOWN_FLAG with a did-you-mean hint, or the list of flags', () => {
  assert.equal(one('selct'), 'E_RULE_UNKNOWN_FLAG 1:1');
  assert.equal(errorsOf('selct')[0].hint, 'did you mean `select`?');
  assert.equal(errorsOf('write and lockng')[0].hint, 'did you mean `locking`?');
  assert.equal(one('select and\n    in_transation'), 'E_RULE_UNKNOWN_FLAG 2:5');
  assert.equal(errorsOf('in_transation')[0].hint, 'did you mean `in_transaction`?');
  assert.match(errorsOf('banana')[0].hint ?? '', /^flags are: select, insert/);
});

test('E_RULE_UNKNOWN_FIELD with hints', () => {
  assert.equal(one("tabel = 'x'"), 'E_RULE_UNKNOWN_FIELD 1:1');
  assert.equal(errorsOf("tabel = 'x'")[0].hint, 'did you mean `table`?');
  assert.equal(errorsOf("usr in ('a')")[0].hint, 'did you mean `user`?');
  assert.equal(one("select and\n  schema ~ 'x'"), 'E_RULE_UNKNOWN_FIELD 2:3');
  assert.match(errorsOf("schema = 'x'")[0].hint ?? '', /^fields are: table, user/);
  assert.equal(one("calls = 'x'"), 'E_RULE_UNKNOWN_FIELD 1:1');
});

test('E_RULE_UNKNOWN_FUNCTION', () => {
  assert.equal(one('call(nextval)'), 'E_RULE_UNKNOWN_FUNCTION 1:1');
  assert.equal(errorsOf('call(nextval)')[0].hint, 'did you mean `calls`?');
  assert.equal(one("select and table('x')"), 'E_RULE_UNKNOWN_FUNCTION 1:12');
});

test('E_RULE_MISSING_COMPARISON for a field used as a flag', () => {
  assert.equal(one('select and table'), 'E_RULE_MISSING_COMPARISON 1:12');
  assert.equal(errorsOf('query')[0].hint, "write query ~ 'pattern'");
});

test('E_RULE_BAD_OPERATOR: operator after a flag, or not accepted by the field', () => {
  assert.equal(one("select = 'x'"), 'E_RULE_BAD_OPERATOR 1:8');
  assert.equal(one("query = 'select 1'"), 'E_RULE_BAD_OPERATOR 1:7');
  assert.equal(one("query in ('a')"), 'E_RULE_BAD_OPERATOR 1:7');
  assert.equal(one("fingerprint ~ 'ab'"), 'E_RULE_BAD_OPERATOR 1:13');
  assert.equal(one("fingerprint !~* 'ab'"), 'E_RULE_BAD_OPERATOR 1:13');
  assert.equal(one("write and\n  query not in ('a')"), 'E_RULE_BAD_OPERATOR 2:9');
});

test('E_RULE_BAD_REGEX: compiled at compile time, pointing at the pattern', () => {
  assert.equal(one("query ~ '('"), 'E_RULE_BAD_REGEX 1:9');
  assert.equal(one("select and\n  query ~* 'a[b'"), 'E_RULE_BAD_REGEX 2:12');
  assert.equal(one("table !~ '*x'"), 'E_RULE_BAD_REGEX 1:10');
  const [e] = errorsOf("query ~ '('");
  assert.match(e.message, /Unterminated group/);
});

test('E_RULE_TOO_DEEP for runaway nesting; 64 levels are fine', () => {
  assert.deepEqual(errorsOf('('.repeat(64) + 'select' + ')'.repeat(64)), []);
  assert.equal(one('('.repeat(65) + 'select' + ')'.repeat(65)), 'E_RULE_TOO_DEEP 1:65');
  // Long `not` chains and long and/or lists are not recursion-bound.
  assert.deepEqual(errorsOf('not '.repeat(5000) + 'select'), []);
  assert.deepEqual(errorsOf(Array(5000).fill('select').join(' or ')), []);
});

test('every semantic problem of one expression is reported, in order', () => {
  const errs = errorsOf("selct and tabel = 'a' and\n  query = 'x' and user ~ '('");
  assert.deepEqual(
    errs.map((e) => `${e.code} ${e.line}:${e.column}`),
    ['E_RULE_UNKNOWN_FLAG 1:1', 'E_RULE_UNKNOWN_FIELD 1:11', 'E_RULE_BAD_OPERATOR 2:9', 'E_RULE_BAD_REGEX 2:26'],
  );
});

test('columns count CRLF lines and UTF-16 units', () => {
  assert.equal(one("select and\r\n  tabel = 'x'"), 'E_RULE_UNKNOWN_FIELD 2:3');
  // é is one unit, 😀 two.
  assert.equal(one("user = 'é😀' and selct"), 'E_RULE_UNKNOWN_FLAG 1:18');
});

test('diagnostics carry the rule index, name, offsets and severity', () => {
  const { errors } = compileRules([
    { name: 'fine', match: 'select', route: 'replica' },
    { name: 'broken', match: 'select and  nope', route: 'primary' },
  ]);
  assert.deepEqual(errors, [{
    code: 'E_RULE_UNKNOWN_FLAG', severity: 'error', message: 'unknown flag `nope`', hint: 'flags are: select, insert, update, delete, ddl, copy, write, read, locking, in_transaction',
    rule: 1, ruleName: 'broken', key: 'match', offset: 12, end: 16, line: 1, column: 13,
  }]);
});
