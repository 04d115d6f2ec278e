// Throughput of matching against a realistic list of 20 rules. Reported, not asserted: the
// machine decides the number; the test checks only that the answers are right.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleFacts, RuleInput } from '../src/rules/ast.js';
import { compileRules } from '../src/rules/compile.js';
import { matchBlockRule, matchRouteRule, matchRules } from '../src/rules/match.js';

const RULES: RuleInput[] = [
  { name: 'no ddl from apps', match: "ddl and user not in ('migrator', 'admin')", route: 'block', message: 'use migrations' },
  { name: 'no pg_sleep', match: 'calls(pg_sleep)', route: 'block' },
  { name: 'no truncate', match: "query ~* '^\\s*truncate\\b'", route: 'block' },
  { name: 'sequences', match: 'calls(nextval, setval, currval)', route: 'primary' },
  { name: 'advisory locks', match: 'calls(pg_advisory_lock, pg_advisory_xact_lock, pg_try_advisory_lock)', route: 'primary' },
  { name: 'reports', database: 'prod', match: "select and table in ('events', 'page_views', 'sessions') and not locking", route: 'replica' },
  { name: 'metabase', match: "application_name ~* '^metabase' and read", route: 'replica' },
  { name: 'grafana', match: "application_name ~ '^grafana' and select", route: 'replica' },
  { name: 'tenant 1', user: 'tenant1', match: 'select or insert or update or delete', route: 'shard:0' },
  { name: 'tenant 2', user: 'tenant2', match: 'select or insert or update or delete', route: 'shard:1' },
  { name: 'archive', match: "table ~ '^archive_' and read", route: 'replica' },
  { name: 'audit log', match: "table = 'audit.log' and insert", route: 'primary' },
  { name: 'hot path', match: "fingerprint in ('a1b2c3', 'd4e5f6', '0badf00d')", route: 'replica' },
  { name: 'copy out', match: "copy and table in ('events', 'exports')", route: 'all_shards' },
  { name: 'billing', database: 'billing', match: 'write or locking or in_transaction', route: 'primary' },
  { name: 'billing reads', database: 'billing', match: 'read', route: 'replica' },
  { name: 'search', match: "select and table in ('documents', 'terms') and query !~* 'for update'", route: 'replica' },
  { name: 'batch', match: "user ~ '^batch_' and (insert or update) and not in_transaction", route: 'primary' },
  { name: 'analytics db', database: 'analytics', match: 'select', route: 'all_shards' },
  { name: 'legacy', match: "table in ('legacy_orders', 'legacy_users') and (select or copy)", route: 'replica' },
];

function facts(over: Partial<RuleFacts>): RuleFacts {
  return { kind: 'select', write: false, locking: false, inTransaction: false, tables: [], calls: [], user: 'app', database: 'prod', applicationName: 'web-1', query: 'SELECT 1', fingerprint: 'ffff', ...over };
}

// A mix where most statements match late or not at all (the expensive case).
const WORKLOAD: [Partial<RuleFacts>, string | null][] = [
  [{ tables: ['users'], query: 'SELECT * FROM users WHERE id = $1' }, null],
  [{ kind: 'insert', write: true, tables: ['orders'], query: 'INSERT INTO orders VALUES ($1)' }, null],
  [{ tables: ['events'], query: 'SELECT count(*) FROM events' }, 'reports'],
  [{ kind: 'update', write: true, tables: ['users'], user: 'tenant2' }, 'tenant 2'],
  [{ tables: ['public.documents'], query: 'select * from documents' }, 'search'],
  [{ calls: ['nextval'], write: true, query: "select nextval('s')" }, 'sequences'],
  [{ applicationName: 'Metabase 0.49', tables: ['users'] }, 'metabase'],
  [{ kind: 'ddl', write: true, user: 'app', query: 'ALTER TABLE x ADD y int' }, 'no ddl from apps'],
  [{ database: 'billing', tables: ['invoices'], inTransaction: true }, 'billing'],
  [{ kind: 'delete', write: true, tables: ['sessions'], query: 'DELETE FROM sessions WHERE expires < now()' }, null],
];

test('throughput of a 20-rule list (reported)', (t) => {
  const { rules, errors, warnings } = compileRules(RULES);
  assert.deepEqual(errors, []);
  // A sensible list: nothing contradictory or shadowed.
  assert.deepEqual(warnings, []);
  const inputs = WORKLOAD.map(([f]) => facts(f));
  const pick = (f: RuleFacts) => matchBlockRule(rules, f) ?? matchRouteRule(rules, f);
  WORKLOAD.forEach(([, want], i) => assert.equal(pick(inputs[i])?.rule.name ?? null, want, JSON.stringify(WORKLOAD[i][0])));

  let sink = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const m = pick(inputs[i % inputs.length]);
      if (m) sink += m.index;
    }
  };
  run(200_000); // warm up the JIT
  const n = 1_000_000;
  const start = process.hrtime.bigint();
  run(n);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const perSecond = Math.round(n / seconds);
  t.diagnostic(`rule matching: ${perSecond.toLocaleString('en-US')} statements/s over 20 rules (block pass + route pass), ${(seconds * 1e9 / n).toFixed(0)} ns each`);

  const single = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (matchRules(rules, inputs[i % inputs.length])) sink++;
  const s2 = Number(process.hrtime.bigint() - single) / 1e9;
  t.diagnostic(`first-match only (matchRules): ${Math.round(n / s2).toLocaleString('en-US')} statements/s`);
  assert.ok(sink > 0);
});
