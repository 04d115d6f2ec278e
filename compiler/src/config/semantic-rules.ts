// [[query_rules]] in config validation: every rule's `match` is compiled, so `pgdog validate`
// reports expression errors at their line:column inside the TOML string, and the contradiction /
// shadowing analysis becomes warnings. Imported lazily by load-config.ts, and only when the
// config has rules: the rule compiler brings chevrotain (~270 ms to import).
//
// Route values are the schema's and semantic-sharding.ts's job (E_ENUM, E_PATTERN,
// E_SHARD_OUT_OF_RANGE); only what those cannot see (`shard:007`, a shard number too large to
// be one) is reported from here.

import type { RuleInput } from '../rules/ast.js';
import { compileRules } from '../rules/compile.js';
import type { RuleDiagnostic } from '../rules/diagnostics.js';
import type { ConfigCode } from '../errors.js';
import type { Finding } from './finding.js';
import { childPointer } from './pointer.js';
import { str, tablesOf, type Table } from './shape.js';

const SCHEMA_SHARD_ROUTE = /^shard:[0-9]+$/;

export function checkQueryRules(pgdog: Table): Finding[] {
  const inputs: RuleInput[] = [];
  const original: number[] = [];
  const routes: string[] = [];
  for (const { index, item } of tablesOf(pgdog, 'query_rules')) {
    const match = str(item, 'match');
    const route = str(item, 'route');
    if (match === undefined || route === undefined) continue;
    const input: RuleInput = { name: str(item, 'name') ?? `#${index + 1}`, match, route };
    const database = str(item, 'database');
    const user = str(item, 'user');
    const message = str(item, 'message');
    if (database !== undefined) input.database = database;
    if (user !== undefined) input.user = user;
    if (message !== undefined) input.message = message;
    inputs.push(input);
    original.push(index);
    routes.push(route);
  }
  if (inputs.length === 0) return [];
  const result = compileRules(inputs);
  const out: Finding[] = [];
  for (const d of [...result.errors, ...result.warnings]) {
    const f = toFinding(d, original[d.rule], routes[d.rule]);
    if (f !== null) out.push(f);
  }
  return out;
}

function toFinding(d: RuleDiagnostic, index: number, route: string): Finding | null {
  const at = childPointer('/query_rules', index);
  const params = { message: d.message };
  const code = d.code as ConfigCode;
  let f: Finding;
  switch (d.key) {
    case 'route':
      if (d.code !== 'E_RULE_BAD_SHARD' || !SCHEMA_SHARD_ROUTE.test(route)) return null;
      f = { file: 'pgdog', pointer: childPointer(at, 'route'), anchor: 'value', code, params };
      break;
    case 'message':
      f = { file: 'pgdog', pointer: childPointer(at, 'message'), anchor: 'key', code, params };
      break;
    case 'match':
      f = { file: 'pgdog', pointer: childPointer(at, 'match'), anchor: 'value', code, params };
      if (d.offset !== undefined) f.inner = d.offset;
      break;
  }
  if (d.hint !== undefined) f.hint = d.hint;
  return f;
}
