// Compiled rules <-> plain JSON for the routing table. The table keeps the normalized AST (no
// source spans) and the route; matchers are rebuilt at load. The input of loadRules comes from a
// file, so it is checked as strictly as the compiler would have produced it.

import type { RuleExpr, RuleRoute } from './ast.js';
import { makeCompiledRule, type CompiledRule } from './compiled-rule.js';
import { fieldAccepts, isRuleField, isRuleFlag, MAX_NESTING, regexFlags } from './vocabulary.js';

/** A compiled rule as kept in the routing table: everything but the matcher, rebuilt at load. */
export type StoredRule = Omit<CompiledRule, 'test'>;

export class RuleTableError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'RuleTableError';
  }
}

function stripSpans(e: RuleExpr): RuleExpr {
  switch (e.type) {
    case 'or':
    case 'and':
      return { type: e.type, items: e.items.map(stripSpans) };
    case 'not':
      return { type: 'not', item: stripSpans(e.item) };
    case 'flag':
      return { type: 'flag', flag: e.flag };
    case 'compare':
      return { type: 'compare', field: e.field, op: e.op, values: [...e.values] };
    case 'regex':
      return { type: 'regex', field: e.field, pattern: e.pattern, ignoreCase: e.ignoreCase, negated: e.negated };
    case 'calls':
      return { type: 'calls', names: [...e.names] };
  }
}

export function serializeRules(rules: readonly CompiledRule[]): StoredRule[] {
  return rules.map((r) => {
    const s: StoredRule = { index: r.index, name: r.name, match: r.match, expr: stripSpans(r.expr), route: { ...r.route } };
    if (r.database !== undefined) s.database = r.database;
    if (r.user !== undefined) s.user = r.user;
    return s;
  });
}

type Obj = Record<string, unknown>;

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RuleTableError('expected an object', path);
  return v as Obj;
}

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new RuleTableError(`\`${key}\` must be a string`, path);
  return v;
}

function optStr(o: Obj, key: string, path: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path);
}

function strings(o: Obj, key: string, path: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) throw new RuleTableError(`\`${key}\` must be a non-empty list of strings`, path);
  return [...v] as string[];
}

function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new RuleTableError(`\`${key}\` must be a boolean`, path);
  return v;
}

function readExpr(v: unknown, path: string, depth: number): RuleExpr {
  if (depth > MAX_NESTING * 2) throw new RuleTableError('expression nested too deep', path);
  const o = obj(v, path);
  switch (o.type) {
    case 'or':
    case 'and': {
      const items = o.items;
      if (!Array.isArray(items) || items.length < 2) throw new RuleTableError('`items` must list at least two expressions', path);
      return { type: o.type, items: items.map((i, n) => readExpr(i, `${path}/items/${n}`, depth + 1)) };
    }
    case 'not':
      return { type: 'not', item: readExpr(o.item, `${path}/item`, depth + 1) };
    case 'flag': {
      const flag = str(o, 'flag', path);
      if (!isRuleFlag(flag)) throw new RuleTableError(`unknown flag \`${flag}\``, path);
      return { type: 'flag', flag };
    }
    case 'compare': {
      const field = str(o, 'field', path);
      const op = str(o, 'op', path);
      if (!isRuleField(field)) throw new RuleTableError(`unknown field \`${field}\``, path);
      if (op !== '=' && op !== '!=' && op !== 'in' && op !== 'not in') throw new RuleTableError(`unknown operator \`${op}\``, path);
      if (!fieldAccepts(field, 'equality')) throw new RuleTableError(`\`${field}\` cannot be compared with '${op}'`, path);
      const values = strings(o, 'values', path);
      if ((op === '=' || op === '!=') && values.length !== 1) throw new RuleTableError(`'${op}' takes one value`, path);
      return { type: 'compare', field, op, values };
    }
    case 'regex': {
      const field = str(o, 'field', path);
      if (!isRuleField(field)) throw new RuleTableError(`unknown field \`${field}\``, path);
      if (!fieldAccepts(field, 'regex')) throw new RuleTableError(`\`${field}\` cannot be matched with a regex`, path);
      const pattern = str(o, 'pattern', path);
      const ignoreCase = bool(o, 'ignoreCase', path);
      try {
        new RegExp(pattern, regexFlags(ignoreCase));
      } catch (e) {
        throw new RuleTableError((e as Error).message, path);
      }
      return { type: 'regex', field, pattern, ignoreCase, negated: bool(o, 'negated', path) };
    }
    case 'calls':
      return { type: 'calls', names: strings(o, 'names', path) };
    default:
      throw new RuleTableError(`unknown expression type ${JSON.stringify(o.type)}`, path);
  }
}

function readRoute(v: unknown, path: string): RuleRoute {
  const o = obj(v, path);
  switch (o.kind) {
    case 'primary':
    case 'replica':
    case 'all_shards':
      return { kind: o.kind };
    case 'shard': {
      const shard = o.shard;
      if (typeof shard !== 'number' || !Number.isInteger(shard) || shard < 0) throw new RuleTableError('`shard` must be a non-negative integer', path);
      return { kind: 'shard', shard };
    }
    case 'block':
      return { kind: 'block', message: str(o, 'message', path) };
    default:
      throw new RuleTableError(`unknown route kind ${JSON.stringify(o.kind)}`, path);
  }
}

/** Rebuilds compiled rules from their stored form; throws RuleTableError on anything malformed. */
export function loadRules(data: unknown, path = ''): CompiledRule[] {
  if (!Array.isArray(data)) throw new RuleTableError('expected a list of rules', path || '/');
  return data.map((item, n) => {
    const p = `${path}/${n}`;
    const o = obj(item, p);
    const index = o.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) throw new RuleTableError('`index` must be a non-negative integer', p);
    const input: { name: string; database?: string; user?: string; match: string } = { name: str(o, 'name', p), match: str(o, 'match', p) };
    const database = optStr(o, 'database', p);
    const user = optStr(o, 'user', p);
    if (database !== undefined) input.database = database;
    if (user !== undefined) input.user = user;
    return makeCompiledRule(index, input, readExpr(o.expr, `${p}/expr`, 0), readRoute(o.route, `${p}/route`));
  });
}
