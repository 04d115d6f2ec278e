import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleFacts } from './ast.js';
import { compileRules } from './compile.js';
import { matchRules } from './match.js';
import { loadRules, RuleTableError, serializeRules } from './serialize.js';

const inputs = [
  { name: 'no ddl', match: "ddl and user != 'migrator'", route: 'block', message: 'use migrations' },
  { name: 'reports', database: 'prod', match: "select and table in ('events', 'page_views') and not locking", route: 'replica' },
  { name: 'sequences', match: 'calls(nextval, setval)', route: 'primary' },
  { name: 'tenant 7', user: 'tenant7', match: "query ~* 'tenant' and not in_transaction", route: 'shard:1' },
  { name: 'fanout', match: "fingerprint in ('a1', 'b2') or application_name !~ '^app'", route: 'all_shards' },
];

function facts(over: Partial<RuleFacts>): RuleFacts {
  return { kind: 'select', write: false, locking: false, inTransaction: false, tables: [], calls: [], user: 'app', database: 'prod', applicationName: 'app-1', query: '', fingerprint: '', ...over };
}

test('stored rules are plain JSON without spans, and load back to equivalent matchers', () => {
  const { rules, errors } = compileRules(inputs, { analyze: false });
  assert.deepEqual(errors, []);
  const stored = serializeRules(rules);
  const json = JSON.stringify(stored);
  assert.ok(!json.includes('span'));
  assert.deepEqual(stored[1], {
    index: 1, name: 'reports', database: 'prod', match: inputs[1].match, route: { kind: 'replica' },
    expr: { type: 'and', items: [{ type: 'flag', flag: 'select' }, { type: 'compare', field: 'table', op: 'in', values: ['events', 'page_views'] }, { type: 'not', item: { type: 'flag', flag: 'locking' } }] },
  });
  const loaded = loadRules(JSON.parse(json));
  assert.deepEqual(serializeRules(loaded), stored);
  const samples: Partial<RuleFacts>[] = [
    { kind: 'ddl', write: true, user: 'dev' },
    { kind: 'ddl', write: true, user: 'migrator' },
    { tables: ['events'] },
    { tables: ['events'], database: 'dev' },
    { calls: ['nextval'] },
    { user: 'tenant7', query: 'select TENANT' },
    { user: 'tenant7', query: 'select TENANT', inTransaction: true },
    { fingerprint: 'b2' },
    { applicationName: 'psql' },
    {},
  ];
  for (const s of samples) {
    const a = matchRules(rules, facts(s));
    const b = matchRules(loaded, facts(s));
    assert.equal(b?.rule.name, a?.rule.name, JSON.stringify(s));
    assert.deepEqual(b?.rule.route, a?.rule.route);
  }
  assert.equal(matchRules(loaded, facts({ applicationName: 'psql' }))?.rule.name, 'fanout');
  assert.equal(matchRules(loaded, facts({}))?.rule.name, undefined);
});

test('loadRules rejects malformed tables with the JSON path', () => {
  const { rules } = compileRules(inputs, { analyze: false });
  const good = JSON.parse(JSON.stringify(serializeRules(rules)));
  const broken: [(t: any) => void, string][] = [
    [(t) => (t[0].expr = { type: 'flag', flag: 'selct' }), '/0/expr: unknown flag `selct`'],
    [(t) => (t[1].expr.items[1].field = 'tabel'), '/1/expr/items/1: unknown field `tabel`'],
    [(t) => (t[1].expr.items[1].values = []), '/1/expr/items/1: `values` must be a non-empty list of strings'],
    [(t) => (t[3].expr.items[0].pattern = '('), '/3/expr/items/0: Invalid regular expression: /(/is: Unterminated group'],
    [(t) => (t[3].expr.items[0].field = 'fingerprint'), '/3/expr/items/0: `fingerprint` cannot be matched with a regex'],
    [(t) => (t[4].expr.items[0].op = '~'), '/4/expr/items/0: unknown operator `~`'],
    [(t) => (t[2].expr = { type: 'and', items: [] }), '/2/expr: `items` must list at least two expressions'],
    [(t) => (t[3].route = { kind: 'shard', shard: -1 }), '/3/route: `shard` must be a non-negative integer'],
    [(t) => (t[0].route = { kind: 'block' }), '/0/route: `message` must be a string'],
    [(t) => (t[0].route = { kind: 'somewhere' }), '/0/route: unknown route kind "somewhere"'],
    [(t) => delete t[2].name, '/2: `name` must be a string'],
    [(t) => (t[2].index = 'x'), '/2: `index` must be a non-negative integer'],
    [(t) => (t[2] = null), '/2: expected an object'],
  ];
  for (const [mutate, message] of broken) {
    const t = structuredClone(good);
    mutate(t);
    assert.throws(() => loadRules(t), (e: unknown) => e instanceof RuleTableError && e.message === message, message);
  }
  assert.throws(() => loadRules({}), RuleTableError);
  let deep: unknown = { type: 'flag', flag: 'select' };
  for (let i = 0; i < 500; i++) deep = { type: 'not', item: deep };
  assert.throws(() => loadRules([{ ...good[2], expr: deep }]), /nested too deep/);
});
