// The decoder must give exactly what PostgreSQL's scanner gives: every sample is compared with
// the value libpg-query returns for the same literal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser, parseSql } from './parser.js';
import { normalizeSql } from './normalize.js';
import { decodeStringToken } from './literal-decode.js';

await loadSqlParser();

function parserValue(literal: string): string {
  const r = parseSql(`SELECT ${literal}`);
  assert.ok(r.ok, literal);
  const node = r.statements[0]!.node;
  assert.ok('SelectStmt' in node);
  const val = node.SelectStmt.targetList![0]!;
  assert.ok('ResTarget' in val && val.ResTarget.val && 'A_Const' in val.ResTarget.val);
  const c = val.ResTarget.val.A_Const;
  return c.sval?.sval ?? c.bsval?.bsval ?? (c.sval !== undefined ? '' : 'NOT A STRING');
}

const samples = [
  "'plain'", "''", "'it''s'", "'back\\slash'", "'ünï😀'", "'line\nbreak'",
  "E'tab\\tnl\\nret\\rbs\\bff\\f'", "E'\\x41\\x4a\\x7'", "E'\\101\\7\\60'", "E'\\u00e9\\U0001F600'",
  "E'\\'quote'", "E'a''b'", "E'\\\\'", "E'\\q\\z'", "E'\\xg'", "e'low'", "E'😀\\😀'",
  "U&'d\\0061t\\+000061'", "U&'\\\\x'", "u&'it''s'", "U&'\\00e9'",
  '$$dollar$$', '$$$$', '$q$a$$b$q$', '$ü$x$ü$',
  "B'1010'", "b'0'", "X'1F'", "x'ff'",
];

test('literal-decode: string tokens decode as PostgreSQL scans them', () => {
  for (const literal of samples) {
    const text = `SELECT ${literal}`;
    const n = normalizeSql(text);
    assert.ok(n, `normalizer declined ${literal}`);
    assert.equal(n.starts.length, 1, literal);
    const decoded = decodeStringToken(text, n.starts[0]!, n.ends[0]!, n.kinds[0]!);
    assert.equal(decoded, parserValue(literal), literal);
  }
});
