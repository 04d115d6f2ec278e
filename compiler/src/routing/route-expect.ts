// Expected routes in assertion files and how a route is compared with one. Only the fields a
// case names are checked; `key` and `blocked` may be given in part, `reason` as a substring.

import type { StatementKind } from '../sql/types.js';
import type { Route, RouteKey, RouteRole, RouteSource } from './route-types.js';

export interface RouteExpectation {
  shards?: number[] | 'all';
  role?: RouteRole;
  source?: RouteSource;
  /** null: no rule decided anything (TOML: `rule = false`). */
  rule?: string | null;
  statement?: StatementKind;
  tables?: string[];
  key?: Partial<RouteKey> | null;
  cross_shard?: boolean;
  blocked?: boolean | { sqlstate?: string; message?: string };
  /** A part of the reason sentence. */
  reason?: string;
}

export const EXPECT_KEYS = ['shards', 'role', 'source', 'rule', 'statement', 'tables', 'key', 'cross_shard', 'blocked', 'reason'] as const;
const ROLES = ['primary', 'replica'];
const SOURCES = ['sharding_key', 'rule', 'comment', 'set', 'plugin', 'omnisharded', 'default'];
const STATEMENTS = ['select', 'insert', 'update', 'delete', 'copy', 'ddl', 'set', 'transaction', 'other'];
const KEY_FIELDS = ['table', 'column', 'value', 'hash'];

export interface Problems {
  fail(message: string): void;
}

function shardNumber(v: unknown): number | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'bigint' && v >= 0n && v < 2n ** 31n) return Number(v);
  return null;
}

function oneOf(p: Problems, key: string, v: unknown, allowed: readonly string[]): string | undefined {
  if (typeof v === 'string' && allowed.includes(v)) return v;
  p.fail(`\`expect.${key}\` must be one of ${allowed.join(', ')}`);
  return undefined;
}

/** Reads an `expect` table; problems go to `p`. */
export function readExpectation(p: Problems, v: unknown): RouteExpectation {
  const e: RouteExpectation = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    p.fail('`expect` must be a table');
    return e;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(EXPECT_KEYS as readonly string[]).includes(k)) p.fail(`unknown key \`${k}\` in expect (allowed: ${EXPECT_KEYS.join(', ')})`);
  if (o.shards !== undefined) {
    if (o.shards === 'all') e.shards = 'all';
    else if (Array.isArray(o.shards) && o.shards.every((s) => shardNumber(s) !== null)) e.shards = o.shards.map((s) => shardNumber(s) as number).sort((a, b) => a - b);
    else p.fail('`expect.shards` must be "all" or a list of shard numbers');
  }
  if (o.role !== undefined) e.role = oneOf(p, 'role', o.role, ROLES) as RouteRole | undefined;
  if (o.source !== undefined) e.source = oneOf(p, 'source', o.source, SOURCES) as RouteSource | undefined;
  if (o.statement !== undefined) e.statement = oneOf(p, 'statement', o.statement, STATEMENTS) as StatementKind | undefined;
  if (o.rule !== undefined) {
    if (typeof o.rule === 'string') e.rule = o.rule;
    else if (o.rule === null || o.rule === false) e.rule = null;
    else p.fail('`expect.rule` must be a rule name, or false (null in JSON) for no rule');
  }
  if (o.tables !== undefined) {
    if (Array.isArray(o.tables) && o.tables.every((t) => typeof t === 'string')) e.tables = o.tables as string[];
    else p.fail('`expect.tables` must be a list of table names');
  }
  if (o.key !== undefined) {
    if (o.key === null || o.key === false) e.key = null;
    else if (typeof o.key === 'object' && !Array.isArray(o.key)) {
      const k = o.key as Record<string, unknown>;
      const key: Partial<RouteKey> = {};
      for (const [name, val] of Object.entries(k)) {
        if (!KEY_FIELDS.includes(name)) p.fail(`unknown key \`${name}\` in expect.key (allowed: ${KEY_FIELDS.join(', ')})`);
        else if (typeof val === 'string' || val === null) (key as Record<string, string | null>)[name] = val;
        else if (typeof val === 'number' || typeof val === 'bigint') (key as Record<string, string | null>)[name] = String(val);
        else p.fail(`\`expect.key.${name}\` must be a string`);
      }
      e.key = key;
    } else p.fail('`expect.key` must be a table (or false / null for no key)');
  }
  if (o.cross_shard !== undefined) {
    if (typeof o.cross_shard === 'boolean') e.cross_shard = o.cross_shard;
    else p.fail('`expect.cross_shard` must be true or false');
  }
  if (o.blocked !== undefined) {
    if (typeof o.blocked === 'boolean') e.blocked = o.blocked;
    else if (typeof o.blocked === 'object' && o.blocked !== null && !Array.isArray(o.blocked)) {
      const b = o.blocked as Record<string, unknown>;
      const out: { sqlstate?: string; message?: string } = {};
      for (const [name, val] of Object.entries(b)) {
        if (name !== 'sqlstate' && name !== 'message') p.fail(`unknown key \`${name}\` in expect.blocked (allowed: sqlstate, message)`);
        else if (typeof val !== 'string') p.fail(`\`expect.blocked.${name}\` must be a string`);
        else out[name] = val;
      }
      e.blocked = out;
    } else p.fail('`expect.blocked` must be true, false, or { sqlstate, message }');
  }
  if (o.reason !== undefined) {
    if (typeof o.reason === 'string') e.reason = o.reason;
    else p.fail('`expect.reason` must be a string (a part of the reason)');
  }
  return e;
}

export interface RouteDiff {
  field: string;
  expected: unknown;
  actual: unknown;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The differences between a route and what a case expects; empty when it passes. */
export function compareRoute(route: Route, e: RouteExpectation): RouteDiff[] {
  const diffs: RouteDiff[] = [];
  const check = (field: string, expected: unknown, actual: unknown, ok: boolean): void => {
    if (!ok) diffs.push({ field, expected, actual });
  };
  if (e.shards !== undefined) check('shards', e.shards, route.shards, same(e.shards, route.shards));
  if (e.role !== undefined) check('role', e.role, route.role, e.role === route.role);
  if (e.source !== undefined) check('source', e.source, route.source, e.source === route.source);
  if (e.rule !== undefined) check('rule', e.rule, route.rule, e.rule === route.rule);
  if (e.statement !== undefined) check('statement', e.statement, route.statement, e.statement === route.statement);
  if (e.tables !== undefined) check('tables', e.tables, route.tables, same(e.tables, route.tables));
  if (e.cross_shard !== undefined) check('cross_shard', e.cross_shard, route.cross_shard, e.cross_shard === route.cross_shard);
  if (e.key !== undefined) {
    const k = route.key as Record<string, unknown> | null;
    const ok = e.key === null ? k === null : k !== null && Object.entries(e.key).every(([f, v]) => k[f] === v);
    check('key', e.key, route.key, ok);
  }
  if (e.blocked !== undefined) {
    const b = route.blocked;
    let ok: boolean;
    if (typeof e.blocked === 'boolean') ok = (b !== null) === e.blocked;
    else ok = b !== null && (e.blocked.sqlstate === undefined || e.blocked.sqlstate === b.sqlstate) && (e.blocked.message === undefined || b.message.includes(e.blocked.message));
    check('blocked', e.blocked, b, ok);
  }
  if (e.reason !== undefined) check('reason', `…${e.reason}…`, route.reason, route.reason.includes(e.reason));
  return diffs;
}
