// RouteInput.tableColumns: with a table's column order, `INSERT INTO t VALUES (...)` without a
// column list routes like the same INSERT with the list written out.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze, PlanCache, route,
  type Route, type RouteInput, type RoutingTable,
} from '../src/index.js';
import { corpusRoutingTable } from './support/corpus-table.js';

let table: RoutingTable;

before(async () => {
  table = await corpusRoutingTable();
});

type Columns = ReadonlyMap<string, readonly string[]>;

function run(query: string, tableColumns?: Columns, extra: Partial<RouteInput> = {}): Route {
  return route(table, { database: 'shop', user: 'shop', query, analysis: analyze(query), session: { inTransaction: false }, tableColumns, ...extra });
}

/** The fields that depend on finding the key (query text aside, everything should match). */
function decision(r: Route): unknown {
  return { shards: r.shards, source: r.source, key: r.key, cross_shard: r.cross_shard, reason: r.reason };
}

test('without a column order, an INSERT without a column list cannot find its key', () => {
  // Refused, not broadcast: on every shard the row would be stored once per shard.
  const r = run('INSERT INTO orders VALUES (61, 1)');
  assert.deepEqual(r.shards, []);
  assert.equal(r.blocked?.sqlstate, '0A000');
  assert.match(r.blocked?.message ?? '', /without a column list/);
  const unknown = run('INSERT INTO orders VALUES (61, 1)', new Map([['customers', ['id']]]));
  assert.deepEqual(decision(unknown), decision(r));
});

test('with the column order, the positional values route like a written column list', () => {
  const cols: Columns = new Map([['orders', ['customer_id', 'total']]]);
  assert.deepEqual(decision(run('INSERT INTO orders VALUES (61, 1)', cols)), decision(run('INSERT INTO orders (customer_id, total) VALUES (61, 1)')));
  const swapped: Columns = new Map([['orders', ['total', 'customer_id']]]);
  assert.deepEqual(decision(run('INSERT INTO orders VALUES (1, 61)', swapped)), decision(run('INSERT INTO orders (total, customer_id) VALUES (1, 61)')));
  const rows = 'VALUES (1, 10), (2, 20), (3, 30), (4, 40)';
  const multi = run(`INSERT INTO orders ${rows}`, cols);
  assert.deepEqual(decision(multi), decision(run(`INSERT INTO orders (customer_id, total) ${rows}`)));
  assert.equal(multi.source, 'sharding_key');
});

test('bound parameters and schema-qualified tables (own entry, else the bare name)', () => {
  const cols: Columns = new Map([['orders', ['customer_id', 'total']]]);
  const params = { values: ['61', '1'] };
  assert.deepEqual(
    decision(run('INSERT INTO orders VALUES ($1, $2)', cols, { params })),
    decision(run('INSERT INTO orders (customer_id, total) VALUES ($1, $2)', undefined, { params })),
  );
  const uuid = 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
  const listed = decision(run(`INSERT INTO billing.tenants (tenant_id, name) VALUES ('${uuid}', 'x')`));
  const q = `INSERT INTO billing.tenants VALUES ('${uuid}', 'x')`;
  assert.deepEqual(decision(run(q, new Map([['billing.tenants', ['tenant_id', 'name']]]))), listed);
  assert.deepEqual(decision(run(q, new Map([['tenants', ['tenant_id', 'name']]]))), listed);
  assert.deepEqual(decision(run(q, new Map([['tenants', ['name', 'tenant_id']], ['billing.tenants', ['tenant_id', 'name']]]))), listed);
  assert.notEqual(run(q).source, 'sharding_key');
});

test('the column order comes with each input: a cached shape does not keep it', () => {
  const cache = new PlanCache({ limit: 10 });
  const a: Columns = new Map([['orders', ['customer_id', 'total']]]);
  const b: Columns = new Map([['orders', ['total', 'customer_id']]]);
  for (const [q, cols] of [['INSERT INTO orders VALUES (61, 1)', a], ['INSERT INTO orders VALUES (62, 5)', b], ['INSERT INTO orders VALUES (63, 7)', undefined], ['INSERT INTO orders VALUES (64, 9)', a]] as const) {
    const input: RouteInput = { database: 'shop', user: 'shop', query: q, analysis: cache.analyzeCached(q), session: { inTransaction: false }, tableColumns: cols };
    assert.deepEqual(route(table, input), route(table, { ...input, analysis: analyze(q) }), q);
  }
  assert.equal(cache.stats().hits, 3);
  const withB = route(table, { database: 'shop', user: 'shop', query: 'x', analysis: cache.analyzeCached('INSERT INTO orders VALUES (62, 5)'), session: { inTransaction: false }, tableColumns: b });
  assert.equal(withB.key?.value, '5');
});
