import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSqlParserLoaded, loadSqlParser, parseSql } from './parser.js';

// Each test file runs in its own process, so this really is before the first load.
test('parser: refuses to parse before it is loaded', () => {
  assert.equal(isSqlParserLoaded(), false);
  assert.throws(() => parseSql('SELECT 1'), /loadSqlParser/);
});

test('parser: loads once, then parses synchronously', async () => {
  const a = loadSqlParser();
  const b = loadSqlParser();
  assert.equal(a, b);
  await a;
  assert.equal(isSqlParserLoaded(), true);
  const r = parseSql('SELECT 1');
  assert.ok(r.ok);
  assert.equal(r.statements.length, 1);
  assert.ok('SelectStmt' in r.statements[0]!.node);
});

test('parser: statement spans are char offsets, also after multi-byte text', async () => {
  await loadSqlParser();
  const text = "SELECT 'ü😀'; UPDATE t SET a = 1 ;SELECT 3";
  const r = parseSql(text);
  assert.ok(r.ok);
  const spans = r.statements.map((s) => text.slice(s.start, s.end).trim());
  assert.deepEqual(spans, ["SELECT 'ü😀'", 'UPDATE t SET a = 1', 'SELECT 3']);
});

test('parser: errors carry a message and a char position', async () => {
  await loadSqlParser();
  const cases: Array<[string, number]> = [
    ['SELECT * FROM WHERE x = 1', 14],
    ["SELECT '😀😀' fromm x", "SELECT '😀😀' fromm x".length - 1],
    ['SELECT (1', 9],
  ];
  for (const [text, position] of cases) {
    const r = parseSql(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.equal(r.error.position, position, text);
      assert.ok(r.error.message.length > 0);
    }
  }
});

test('parser: the empty text is an empty statement list', async () => {
  await loadSqlParser();
  assert.deepEqual(parseSql(''), { ok: true, statements: [] });
});
