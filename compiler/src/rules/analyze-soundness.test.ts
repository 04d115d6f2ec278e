// Property test: whatever the analysis claims must hold on every statement of a finite universe
// that respects the analyzer's contract (one kind; insert/update/delete/ddl and locking imply
// write). Random rule lists come from a seeded generator, so failures reproduce.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleFacts, StatementKind } from './ast.js';
import { compileRules } from './compile.js';
import { seededRandom as prng } from '@pgdog/testing';


const ATOMS = [
  'select', 'insert', 'update', 'copy', 'ddl', 'write', 'read', 'locking', 'in_transaction',
  "table = 'a'", "table = 'public.a'", "table = 's.a'", "table in ('a', 'b')", "table ~ '^a'", "table ~ '^s\\.'",
  "user = 'a'", "user in ('a', 'report_1')", "user ~ '^report_'", "database = 'prod'",
  'calls(nextval)', 'calls(pg_catalog.nextval)', "query ~ 'x'", "query ~* 'X'",
];

function expr(rand: () => number, depth: number): string {
  const r = rand();
  if (depth <= 0 || r < 0.35) return ATOMS[Math.floor(rand() * ATOMS.length)];
  if (r < 0.5) return `not (${expr(rand, depth - 1)})`;
  return `(${expr(rand, depth - 1)}) ${r < 0.75 ? 'and' : 'or'} (${expr(rand, depth - 1)})`;
}

function subsets<T>(xs: T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);
}

function universe(): RuleFacts[] {
  const out: RuleFacts[] = [];
  const kinds: StatementKind[] = ['select', 'insert', 'update', 'delete', 'copy', 'ddl', 'set', 'other'];
  const writeKinds = new Set(['insert', 'update', 'delete', 'ddl']);
  for (const kind of kinds)
    for (const write of [false, true])
      for (const locking of [false, true]) {
        if ((writeKinds.has(kind) || locking) && !write) continue;
        for (const inTransaction of [false, true])
          for (const tables of subsets(['a', 's.a', 'b']))
            for (const calls of subsets(['nextval', 'pg_catalog.nextval']))
              for (const user of ['a', 'report_1', 'c'])
                for (const database of ['prod', 'dev'])
                  for (const query of ['x', 'X', 'y'])
                    out.push({ kind, write, locking, inTransaction, tables, calls, user, database, applicationName: '', query, fingerprint: '' });
      }
  return out;
}

test('warnings hold on every statement of a finite universe (seeded random rule lists)', () => {
  const all = universe();
  const rand = prng(20240611);
  let never = 0;
  let shadowed = 0;
  for (let round = 0; round < 120; round++) {
    const n = 2 + Math.floor(rand() * 3);
    const inputs = Array.from({ length: n }, (_, i) => {
      const r: { name: string; match: string; route: string; database?: string; user?: string } = {
        name: `r${i}`, match: expr(rand, 2 + Math.floor(rand() * 2)), route: rand() < 0.2 ? 'block' : 'primary',
      };
      if (rand() < 0.2) r.database = 'prod';
      if (rand() < 0.15) r.user = 'a';
      return r;
    });
    const { rules, errors, warnings } = compileRules(inputs);
    assert.deepEqual(errors, []);
    for (const w of warnings) {
      const rule = rules.find((r) => r.index === w.rule)!;
      const hits = all.filter((f) => rule.test(f));
      const where = JSON.stringify(inputs);
      if (w.code === 'W_RULE_NEVER_MATCHES') {
        never++;
        assert.equal(hits.length, 0, `${w.message}\n${where}\n${JSON.stringify(hits[0])}`);
      } else if (w.code === 'W_RULE_SHADOWED') {
        shadowed++;
        const takers = rules.filter((r) => w.related!.includes(r.index));
        for (const f of hits) assert.ok(takers.some((t) => t.test(f)), `${w.message}\n${where}\n${JSON.stringify(f)}`);
      }
    }
  }
  // The generator must actually exercise both warnings, or this test proves nothing.
  assert.ok(never > 5, `only ${never} contradictions generated`);
  assert.ok(shadowed > 5, `only ${shadowed} shadowed rules generated`);
});
