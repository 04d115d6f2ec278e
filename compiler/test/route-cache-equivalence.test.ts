// route() remembers per query shape what does not depend on literal values (table classes, the
// sharded column of each key candidate, rule outcomes) and takes a shorter path for plain
// statements. None of that may change an answer: every case of the golden corpus, and siblings
// of it with other literal values, must route exactly as a fresh analysis does, through the plan
// cache, under changing sessions (the rule memory is per user / application_name / transaction),
// and across routing tables (shapes are per prepared database).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@pgdog/testing';
import { analyze, PlanCache, route, type RouteInput, type RouteSession, type RoutingTable } from '../src/index.js';
import { corpusCases, corpusRoutingTable, literalSiblings } from './support/corpus-table.js';

let table: RoutingTable;

interface Case {
  query: string;
  database: string;
  user: string;
  session: RouteSession;
  params: { values: (string | null)[] } | undefined;
}
const cases: Case[] = [];

before(async () => {
  table = await corpusRoutingTable();
  for (const c of corpusCases()) {
    cases.push({
      query: c.query,
      database: c.database ?? 'shop',
      user: c.user ?? 'shop',
      session: c.session,
      params: c.params === null ? undefined : { values: c.params },
    });
  }
  assert.ok(cases.length >= 150, `corpus has ${cases.length} cases`);
});

const sibling = literalSiblings(seededRandom(4242));

const SESSIONS: RouteSession[] = [
  { inTransaction: false },
  { inTransaction: true },
  { inTransaction: false, applicationName: 'admin' },
  { inTransaction: true, transactionReadOnly: true },
];

function check(t: RoutingTable, cache: PlanCache, c: Case, query: string, session: RouteSession): void {
  const base: Omit<RouteInput, 'analysis'> = { database: c.database, user: c.user, query, session, params: c.params };
  const fresh = route(t, { ...base, analysis: analyze(query) });
  const cached = route(t, { ...base, analysis: cache.analyzeCached(query) });
  assert.deepEqual(cached, fresh, `${query} (session ${JSON.stringify(session)})`);
}

function runCorpus(t: RoutingTable): PlanCache {
  const cache = new PlanCache({ limit: 10_000 });
  // Each case: its own session twice (miss, then hit), then siblings under rotating sessions,
  // so remembered shapes and rule outcomes meet other values and other sessions.
  for (let round = 0; round < 3; round++) {
    for (const c of cases) {
      check(t, cache, c, c.query, c.session);
      check(t, cache, c, c.query, c.session);
      for (let v = 0; v < 2; v++) {
        const q = sibling(c.query);
        if (q !== null) check(t, cache, c, q, round === 0 ? c.session : SESSIONS[(v + round + cases.length) % SESSIONS.length]);
      }
      check(t, cache, c, c.query, SESSIONS[round % SESSIONS.length]);
    }
  }
  return cache;
}

test('corpus cases and literal siblings route through the plan cache exactly as fresh analyses do', () => {
  const cache = runCorpus(table);
  const s = cache.stats();
  assert.ok(s.hits > s.misses, JSON.stringify(s));
});

test('shapes remembered under one routing table do not leak into another', () => {
  const cache = new PlanCache({ limit: 100 });
  const other = structuredClone(table);
  other.general.readWriteSplit = 'prefer_primary';
  other.databases[0]!.shardedTables = other.databases[0]!.shardedTables.filter((e) => e.name !== 'orders');
  const c: Case = { query: 'SELECT * FROM orders WHERE customer_id = 1', database: 'shop', user: 'shop', session: { inTransaction: false }, params: undefined };
  for (let i = 0; i < 5; i++) {
    for (const t of [table, other]) check(t, cache, c, `SELECT * FROM orders WHERE customer_id = ${i * 7}`, c.session);
  }
  const a = route(table, { ...c, analysis: cache.analyzeCached(c.query) });
  const b = route(other, { ...c, analysis: cache.analyzeCached(c.query) });
  // Without its [[sharded_tables]] entry, orders is omnisharded by default (every entry of shop
  // names its table), so any one shard answers.
  assert.deepEqual([a.source, b.source], ['sharding_key', 'omnisharded']);
});

test('rules that read the query text are matched on every statement, not remembered per shape', () => {
  const t = structuredClone(table);
  t.rules = [{ index: 0, name: 'customer 7', match: "query ~ 'customer_id = 7$'", expr: { type: 'regex', field: 'query', pattern: 'customer_id = 7$', ignoreCase: false, negated: false }, route: { kind: 'block', message: 'no 7' } }];
  const cache = new PlanCache({ limit: 10 });
  const run = (q: string) => route(t, { database: 'shop', user: 'shop', query: q, analysis: cache.analyzeCached(q), session: { inTransaction: false } });
  assert.equal(run('SELECT * FROM orders WHERE customer_id = 6').blocked, null);
  assert.equal(run('SELECT * FROM orders WHERE customer_id = 7').blocked?.message, 'no 7');
  assert.equal(run('SELECT * FROM orders WHERE customer_id = 8').blocked, null);
  assert.ok(cache.stats().hits >= 2);
  const again = runCorpus(t);
  assert.ok(again.stats().hits > 0);
});

test('a statement assembled from a cached one with other key columns is not mistaken for its shape', () => {
  const cache = new PlanCache({ limit: 10 });
  const q = 'SELECT * FROM orders WHERE customer_id = 5';
  const input = { database: 'shop', user: 'shop', query: q, session: { inTransaction: false } };
  const first = cache.analyzeCached(q);
  assert.ok(first.ok);
  assert.deepEqual(route(table, { ...input, analysis: first }), route(table, { ...input, analysis: analyze(q) }));
  const stmt = first.statements[0]!;
  const renamed = { ...stmt, keys: [{ ...stmt.keys[0]!, column: 'status' }] };
  const r = route(table, { ...input, analysis: { ok: true, statements: [renamed], hints: first.hints } });
  assert.equal(r.shards, 'all');
  assert.equal(r.key, null);
});
