// Routing assertion files (`pgdog test`): TOML (`pgdog.routes.test.toml`, SPEC §2) or a JSON
// golden corpus (`fixtures/queries/*.json`, Vitess-style). Both describe the same cases:
//
//   [[case]]
//   name = "orders by customer"            # optional
//   query = "SELECT * FROM orders WHERE customer_id = $1"
//   params = [42]                          # optional, bound as text
//   database = "shop"                      # optional (default: the only database)
//   user = "shop"                          # optional
//   session = { in_transaction = true, application_name = "admin", shard = 1, role = "replica" }
//   expect = { shards = [1], role = "replica", rule = "..." }
//
// JSON: `[{ "query": ..., "expect": {...} }, ...]` with the same keys. Every problem in the file is
// reported (with the case number), not just the first.

import { parse as parseToml, TomlError } from 'smol-toml';
import type { RouteRole, RouteSession } from './route-types.js';
import { readExpectation, type RouteExpectation } from './route-expect.js';

export interface RouteTestCase {
  /** 1-based position in the file. */
  index: number;
  name: string | null;
  query: string;
  params: (string | null)[] | null;
  database: string | null;
  user: string | null;
  session: RouteSession;
  expect: RouteExpectation;
}

export type ParsedRouteTests = { ok: true; cases: RouteTestCase[] } | { ok: false; errors: string[] };

const CASE_KEYS = ['name', 'query', 'params', 'database', 'user', 'session', 'expect'] as const;
const SESSION_KEYS = ['in_transaction', 'transaction_read_only', 'application_name', 'shard', 'sharding_key', 'role'] as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  readonly errors: string[] = [];
  constructor(private readonly where: string) {}

  fail(message: string): void {
    this.errors.push(`${this.where}: ${message}`);
  }

  unknownKeys(o: Obj, allowed: readonly string[], what: string): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.fail(`unknown key \`${k}\` in ${what} (allowed: ${allowed.join(', ')})`);
  }

  optString(o: Obj, key: string): string | null {
    const v = o[key];
    if (v === undefined) return null;
    if (typeof v !== 'string') {
      this.fail(`\`${key}\` must be a string`);
      return null;
    }
    return v;
  }
}

function scalarText(v: unknown): string | null | undefined {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return undefined;
}

function readSession(r: Reader, v: unknown): RouteSession {
  const session: RouteSession = { inTransaction: false };
  if (v === undefined) return session;
  if (!isObj(v)) {
    r.fail('`session` must be a table');
    return session;
  }
  r.unknownKeys(v, SESSION_KEYS, 'session');
  const bool = (k: string): boolean => {
    const x = v[k];
    if (x === undefined) return false;
    if (typeof x !== 'boolean') r.fail(`\`session.${k}\` must be true or false`);
    return x === true;
  };
  session.inTransaction = bool('in_transaction');
  session.transactionReadOnly = bool('transaction_read_only');
  const app = r.optString(v, 'application_name');
  if (app !== null) session.applicationName = app;
  const shard = v.shard;
  let shardHint: number | null = null;
  if (shard !== undefined) {
    if (typeof shard === 'number' && Number.isInteger(shard) && shard >= 0) shardHint = shard;
    else if (typeof shard === 'bigint' && shard >= 0n && shard < 2n ** 31n) shardHint = Number(shard);
    else r.fail('`session.shard` must be a shard number');
  }
  const key = r.optString(v, 'sharding_key');
  let role: RouteRole | null = null;
  const rv = r.optString(v, 'role');
  if (rv !== null) {
    if (rv === 'primary' || rv === 'replica') role = rv;
    else r.fail('`session.role` must be "primary" or "replica"');
  }
  if (shardHint !== null || key !== null || role !== null) session.hints = { shard: shardHint, shardingKey: key, role };
  return session;
}

function readCase(raw: unknown, index: number, file: string): { c: RouteTestCase | null; errors: string[] } {
  const r = new Reader(`${file}: case ${index}`);
  if (!isObj(raw)) {
    r.fail('must be a table');
    return { c: null, errors: r.errors };
  }
  r.unknownKeys(raw, CASE_KEYS, 'the case');
  const query = raw.query;
  if (typeof query !== 'string' || query.trim() === '') r.fail('`query` is required (a non-empty string)');
  let params: (string | null)[] | null = null;
  if (raw.params !== undefined) {
    if (!Array.isArray(raw.params)) r.fail('`params` must be an array');
    else {
      params = raw.params.map((p, i) => {
        const t = scalarText(p);
        if (t === undefined) r.fail(`\`params[${i}]\` must be a string, number, boolean or null`);
        return t ?? null;
      });
    }
  }
  const c: RouteTestCase = {
    index,
    name: r.optString(raw, 'name'),
    query: typeof query === 'string' ? query : '',
    params,
    database: r.optString(raw, 'database'),
    user: r.optString(raw, 'user'),
    session: readSession(r, raw.session),
    expect: raw.expect === undefined ? (r.fail('`expect` is required'), {}) : readExpectation(r, raw.expect),
  };
  return { c: r.errors.length === 0 ? c : null, errors: r.errors };
}

function readCases(list: unknown[], file: string): ParsedRouteTests {
  const cases: RouteTestCase[] = [];
  const errors: string[] = [];
  list.forEach((raw, i) => {
    const { c, errors: e } = readCase(raw, i + 1, file);
    if (c !== null) cases.push(c);
    errors.push(...e);
  });
  if (errors.length === 0 && cases.length === 0) errors.push(`${file}: no cases`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, cases };
}

/** Parses a test file; `.json` is a corpus array, anything else TOML with `[[case]]`. */
export function parseRouteTests(text: string, file: string): ParsedRouteTests {
  if (file.endsWith('.json')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      return { ok: false, errors: [`${file}: not JSON: ${(err as Error).message}`] };
    }
    if (!Array.isArray(data)) return { ok: false, errors: [`${file}: a JSON corpus is an array of cases`] };
    return readCases(data, file);
  }
  let doc: Obj;
  try {
    doc = parseToml(text, { integersAsBigInt: 'asNeeded' }) as Obj;
  } catch (err) {
    if (err instanceof TomlError) return { ok: false, errors: [`${file}:${err.line}:${err.column}: TOML syntax error: ${err.message.split('\n')[0]}`] };
    throw err;
  }
  const extra = Object.keys(doc).filter((k) => k !== 'case');
  if (extra.length > 0) return { ok: false, errors: [`${file}: unknown top-level key(s) ${extra.map((k) => `\`${k}\``).join(', ')}; cases are [[case]] tables`] };
  if (!Array.isArray(doc.case)) return { ok: false, errors: [`${file}: no [[case]] tables`] };
  return readCases(doc.case, file);
}

