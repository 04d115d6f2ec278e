import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleFacts } from './ast.js';
import { compileRules } from './compile.js';
import { matchBlockRule, matchRouteRule, matchRules } from './match.js';

function facts(over: Partial<RuleFacts> = {}): RuleFacts {
  return { kind: 'select', write: false, locking: false, inTransaction: false, tables: [], calls: [], user: 'app', database: 'prod', applicationName: '', query: '', fingerprint: '', ...over };
}

const { rules, errors } = compileRules([
  { name: 'prod reports', database: 'prod', match: "select and table = 'events'", route: 'replica' },
  { name: 'bob writes', user: 'bob', match: 'write', route: 'shard:1' },
  { name: 'all events', match: "table = 'events'", route: 'all_shards' },
  { name: 'no truncate', match: "query ~* '^\\s*truncate'", route: 'block', message: 'TRUNCATE is not allowed' },
  { name: 'bob on dev', database: 'dev', user: 'bob', match: 'read', route: 'primary' },
]);

test('the rules compile', () => {
  assert.deepEqual(errors, []);
  assert.deepEqual(rules.map((r) => r.index), [0, 1, 2, 3, 4]);
});

test('first match in file order wins, scope included', () => {
  const name = (f: Partial<RuleFacts>) => matchRules(rules, facts(f))?.rule.name ?? null;
  assert.equal(name({ tables: ['events'] }), 'prod reports');
  assert.equal(name({ tables: ['events'], database: 'dev' }), 'all events');
  assert.equal(name({ tables: ['events'], kind: 'insert', write: true }), 'all events');
  assert.equal(name({ tables: ['events'], kind: 'insert', write: true, user: 'bob' }), 'bob writes');
  assert.equal(name({ user: 'bob', database: 'dev' }), 'bob on dev');
  assert.equal(name({ user: 'bob', database: 'prod' }), null);
  assert.equal(name({ user: 'alice', database: 'dev' }), null);
  assert.equal(name({ kind: 'ddl', write: true, query: '  TRUNCATE events', tables: ['events'] }), 'all events');
  const m = matchRules(rules, facts({ user: 'bob', kind: 'update', write: true }));
  assert.equal(m?.index, 1);
  assert.deepEqual(m?.rule.route, { kind: 'shard', shard: 1 });
});

test('block rules are found on their own (they run before everything else)', () => {
  const truncate = facts({ kind: 'ddl', write: true, query: '  TRUNCATE events', tables: ['events'] });
  const blocked = matchBlockRule(rules, truncate);
  assert.equal(blocked?.rule.name, 'no truncate');
  assert.deepEqual(blocked?.rule.route, { kind: 'block', message: 'TRUNCATE is not allowed' });
  assert.equal(matchBlockRule(rules, facts({ tables: ['events'] })), null);
  assert.equal(matchRouteRule(rules, truncate)?.rule.name, 'all events');
  assert.equal(matchRouteRule(rules, facts({ kind: 'ddl', write: true, query: 'truncate x' })), null);
});

test('an empty rule list matches nothing', () => {
  assert.equal(matchRules([], facts()), null);
  assert.deepEqual(compileRules([]), { rules: [], errors: [], warnings: [] });
});
