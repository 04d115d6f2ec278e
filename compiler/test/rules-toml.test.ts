// End to end from a pgdog.toml text: rules read with smol-toml, value positions with
// toml-eslint-parser (as the config loader does), errors mapped to file line:column for each
// TOML string kind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { parseTOML, type AST } from 'toml-eslint-parser';
import { compileRules } from '../src/rules/compile.js';
import type { RuleInput } from '../src/rules/ast.js';
import { tomlValuePosition } from '../src/rules/toml-position.js';

const CONFIG = [
  '[general]',
  'port = 6432',
  '',
  '[[query_rules]]',
  'name = "basic"',
  'match = "select and \\"x\\" = 1"',
  'route = "replica"',
  '',
  '[[query_rules]]',
  'name = "basic with escapes"',
  'match = "user = \'\\u00e9\' and\\n  tabel = \'x\'"',
  'route = "primary"',
  '',
  '[[query_rules]]',
  "name = 'literal'",
  "match = 'select and (insert or'",
  'route = "replica"',
  '',
  '[[query_rules]]',
  'name = "multi-line basic"',
  'match = """',
  '  select and \\',
  '     not locking and',
  '  query ~ \'(\'"""',
  'route = "replica"',
  '',
  '[[query_rules]]',
  'name = "multi-line literal"',
  "match = '''",
  '  select',
  '  -- reports only',
  "  and table in ('events')",
  '  and lockng',
  "'''",
  'route = "replica"',
  '',
  '[[query_rules]]',
  'name = "fine"',
  "match = '''write or ddl'''",
  'route = "shard:0"',
  '',
].join('\n');

interface ValueSite {
  line: number;
  column: number;
  raw: string;
}

/** Start position and raw text of each `match` value, by rule index. */
function matchSites(text: string): ValueSite[] {
  const ast = parseTOML(text);
  const sites: ValueSite[] = [];
  for (const node of ast.body[0].body) {
    if (node.type !== 'TOMLTable') continue;
    for (const kv of node.body) {
      const key = kv.key.keys[0] as AST.TOMLBare;
      if (key.name !== 'match') continue;
      const v = kv.value;
      sites.push({ line: v.loc.start.line, column: v.loc.start.column + 1, raw: text.slice(v.range[0], v.range[1]) });
    }
  }
  return sites;
}

test('rule errors point at file line:column through every TOML string kind', () => {
  const doc = parse(CONFIG) as unknown as { query_rules: RuleInput[] };
  const sites = matchSites(CONFIG);
  assert.equal(sites.length, doc.query_rules.length);
  const { errors, rules } = compileRules(doc.query_rules);
  const located = errors.map((e) => {
    const s = sites[e.rule];
    const p = tomlValuePosition(s.line, s.column, s.raw, e.offset ?? 0);
    return `pgdog.toml:${p.line}:${p.column}: ${e.code} (${e.ruleName}; expr ${e.line}:${e.column})`;
  });
  assert.deepEqual(located, [
    // `"x"` is written `\"x\"` in the file: the error is at the backslash.
    'pgdog.toml:6:21: E_RULE_SYNTAX (basic; expr 1:12)',
    // `\n` makes `tabel` line 2 of the expression, but it is on line 11 of the file, after `\u00e9`.
    'pgdog.toml:11:33: E_RULE_UNKNOWN_FIELD (basic with escapes; expr 2:3)',
    'pgdog.toml:16:31: E_RULE_SYNTAX (literal; expr 1:22)',
    // The line-ending backslash joins lines 22 and 23 into one expression line.
    'pgdog.toml:24:11: E_RULE_BAD_REGEX (multi-line basic; expr 2:11)',
    'pgdog.toml:33:7: E_RULE_UNKNOWN_FLAG (multi-line literal; expr 4:7)',
  ]);
  assert.deepEqual(rules.map((r) => r.name), ['fine']);
  // The positions land on the offending text.
  const lines = CONFIG.split('\n');
  assert.equal(lines[5].slice(20, 22), '\\"');
  assert.equal(lines[10].slice(32, 37), 'tabel');
  assert.equal(lines[23].slice(10, 13), "'('");
  assert.equal(lines[32].slice(6, 12), 'lockng');
  // An error at the end of the expression points at the closing quote.
  assert.equal(lines[15][30], "'");
});
