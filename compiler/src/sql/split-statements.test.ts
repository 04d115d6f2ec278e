import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser } from './parser.js';
import { scanSpans, splitStatements } from './split-statements.js';

before(() => loadSqlParser());

const texts = (script: string): string[] => splitStatements(script).map((s) => s.text);

test('statements split at top-level semicolons; comments stay with the next statement', () => {
  assert.deepEqual(texts('SELECT 1;\n\n/* pgdog_shard: 1 */ SELECT 2;\n-- trailing\n'), ['SELECT 1', '/* pgdog_shard: 1 */ SELECT 2']);
  assert.deepEqual(texts("SELECT ';' ; SELECT $x$;$x$; SELECT \"a;b\" FROM t"), ["SELECT ';'", 'SELECT $x$;$x$', 'SELECT "a;b" FROM t']);
  assert.deepEqual(texts(';;  ;'), []);
});

test('a script that does not parse is split lexically, so each statement still gets routed', () => {
  assert.deepEqual(texts("SELEC 1; SELECT E'a\\';b'; SELECT 2 /* ; */"), ['SELEC 1', "SELECT E'a\\';b'", 'SELECT 2 /* ; */']);
  assert.deepEqual(scanSpans("a; 'unterminated ; b"), [[0, 1], [2, 20]]);
});

test('BEGIN ATOMIC bodies are not cut (the parser knows where they end)', () => {
  const fn = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END';
  assert.deepEqual(texts(`${fn}; SELECT 3`), [fn, 'SELECT 3']);
});
