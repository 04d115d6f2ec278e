// What route() refuses or explains on a sharded database so that `pgdog route` shows what
// `pgdog serve` does: sharding-key UPDATEs, INSERTs whose rows cannot each get one shard, the
// multi-row INSERT split, tables the config does not name (omnisharded by default unless a
// column-only key could make them sharded), and cross-shard SELECTs the merger cannot combine.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, PlanCache, route, type Route, type RouteInput, type RoutingTable } from '../src/index.js';
import { corpusRoutingTable } from './support/corpus-table.js';

let table: RoutingTable;

before(async () => {
  table = await corpusRoutingTable();
});

function run(query: string, extra: Partial<RouteInput> = {}): Route {
  const database = extra.database ?? 'shop';
  const user = database === 'analytics' ? 'analyst' : database;
  return route(table, { database, user, query, analysis: analyze(query), session: { inTransaction: false }, ...extra });
}

function refused(r: Route, message: RegExp): void {
  assert.equal(r.blocked?.sqlstate, '0A000', JSON.stringify(r));
  assert.match(r.blocked.message, message);
  assert.deepEqual(r.shards, []);
  assert.equal(r.cross_shard, false);
  assert.match(r.reason, /^[A-Z].*\.$/);
}

test('an UPDATE assigning the sharding column is refused, whatever picks the shard', () => {
  for (const q of [
    'UPDATE orders SET customer_id = 66 WHERE customer_id = 67',
    'UPDATE orders SET total = 1, customer_id = $1 WHERE customer_id = $2',
    '/* pgdog_shard: 1 */ UPDATE orders SET customer_id = 66 WHERE id = 1',
    'UPDATE public.orders SET customer_id = 1',
  ]) refused(run(q), /UPDATE of the sharding column (public\.)?orders\.customer_id could move rows to another shard/);
  refused(run('UPDATE accounts SET tenant_id = 2 WHERE tenant_id = 1', { database: 'ledger' }), /accounts\.tenant_id/);
  // Other columns, other tables' key columns, omnisharded tables and one-shard databases are fine.
  assert.equal(run('UPDATE orders SET total = 2 WHERE customer_id = 66').blocked, null);
  assert.equal(run('UPDATE payments SET customer_id = 3 FROM orders WHERE orders.id = payments.order_id').blocked, null);
  assert.equal(run('UPDATE countries SET id = 3').blocked, null);
  assert.equal(run('UPDATE events SET tenant_id = 3', { database: 'analytics' }).blocked, null);
  // A block rule still comes first (its own SQLSTATE).
  assert.equal(run('UPDATE audit_log SET customer_id = 1').blocked?.sqlstate, '42501');
});

test('an INSERT whose rows cannot each be given one shard is refused, never broadcast', () => {
  const cases: [string, RegExp, Partial<RouteInput>?][] = [
    ['INSERT INTO orders (customer_id, total) VALUES (DEFAULT, 1)', /customer_id is NULL, DEFAULT or an expression/],
    ['INSERT INTO orders (customer_id, total) VALUES (1, 1), (2 + 3, 1)', /customer_id is NULL, DEFAULT or an expression/],
    ['INSERT INTO orders (total) VALUES (1)', /column list has no customer_id/],
    ['INSERT INTO orders VALUES (61, 1)', /without a column list/],
    ['INSERT INTO orders (customer_id) SELECT id FROM customers', /INSERT \.\.\. SELECT/],
    ['INSERT INTO orders DEFAULT VALUES', /gives no customer_id value/],
    ["INSERT INTO stores (id, region) VALUES (1, NULL)", /a row.s region is NULL, DEFAULT or an expression.*stores\.region/],
    ['INSERT INTO invoices (invoice_id) VALUES (-1)', /matches no mapping rule/],
    ['INSERT INTO orders (customer_id) VALUES ($1)', /\$1 \(orders\.customer_id\) is NULL/, { params: { values: [null] } }],
    ['INSERT INTO accounts (id) VALUES (1)', /shards every table that has a tenant_id column.*\[\[omnisharded_tables\]\]/, { database: 'ledger' }],
  ];
  for (const [q, message, extra] of cases) refused(run(q, extra), message);
  // Not yet bound: the Bind decides (the proxy routes again with the values).
  const unbound = run('INSERT INTO orders (customer_id) VALUES ($1)');
  assert.equal(unbound.blocked, null);
  assert.equal(unbound.shards, 'all');
  assert.match(unbound.reason, /no bound value/);
  // A hint names the shard: the user placed the row.
  assert.deepEqual(run('/* pgdog_shard: 2 */ INSERT INTO orders (total) VALUES (1)').shards, [2]);
  // With the column order, a list-less INSERT finds its key.
  const columns = new Map([['orders', ['customer_id', 'total']]]);
  assert.equal(run('INSERT INTO orders VALUES (61, 1)', { tableColumns: columns }).blocked, null);
});

test('a multi-row INSERT over several shards says it is split per shard', () => {
  const split = run('INSERT INTO orders (customer_id, total) VALUES (52, 1), (53, 2), (54, 3)');
  assert.deepEqual(split.shards, [0, 1]);
  assert.match(split.reason, /split into one INSERT per shard with that shard's rows/);
  const one = run('INSERT INTO orders (customer_id, total) VALUES (55, 1), (55, 2)');
  assert.deepEqual(one.shards, [1]);
  assert.doesNotMatch(one.reason, /split/);
});

test('tables the config does not name are omnisharded when every sharded entry names its table', () => {
  for (const q of ['INSERT INTO payments (order_id) VALUES (1)', 'UPDATE payments SET order_id = 2', 'DELETE FROM payments WHERE order_id = 2', 'COPY payments FROM STDIN']) {
    const r = run(q);
    assert.equal(r.blocked, null, q);
    assert.equal(r.shards, 'all', q);
    assert.equal(r.source, 'omnisharded', q);
    assert.equal(r.role, 'primary', q);
    assert.match(r.reason, /omnisharded by default/, q);
  }
  const read = run('SELECT * FROM payments');
  assert.deepEqual([read.shards, read.source, read.cross_shard], [[0], 'omnisharded', false]);
  // With a sharded table, its key decides.
  assert.deepEqual(run('SELECT * FROM orders JOIN payments ON payments.order_id = orders.id WHERE orders.customer_id = 42').shards, run('SELECT * FROM orders WHERE customer_id = 42').shards);
  // ledger shards every table with tenant_id: an unnamed table may be sharded, so all shards.
  for (const q of ['SELECT * FROM accounts', 'UPDATE accounts SET balance = 0', 'DELETE FROM accounts']) {
    const r = run(q, { database: 'ledger' });
    assert.deepEqual([r.shards, r.source, r.blocked], ['all', 'default', null], q);
  }
});

test('a cross-shard SELECT the merger cannot combine is refused; on one shard it runs', () => {
  refused(run('SELECT id FROM orders UNION SELECT id FROM orders'), /^UNION is not supported in a query that spans several shards$/);
  refused(run('SELECT row_number() OVER () FROM orders'), /window function row_number\(\)/);
  refused(run('SELECT * FROM orders WHERE customer_id IN (1, 2) INTERSECT SELECT * FROM orders'), /INTERSECT/);
  assert.deepEqual(run('SELECT row_number() OVER () FROM orders WHERE customer_id = 42').shards, run('SELECT 1 FROM orders WHERE customer_id = 42').shards);
  // Mergeable queries stay routed; an unbound key waits for its Bind.
  assert.equal(run('SELECT customer_id, count(*) FROM orders GROUP BY 1 ORDER BY 2 DESC LIMIT 5').blocked, null);
  const atParse = run('SELECT id FROM orders WHERE customer_id = $1 UNION SELECT id FROM orders WHERE customer_id = $1');
  assert.equal(atParse.blocked, null);
  refused(run('SELECT id FROM orders WHERE customer_id = $1 UNION SELECT id FROM orders WHERE customer_id = $2', { params: { values: ['43', '44'] } }), /UNION/);
  // Through the plan cache (shapes shared across literal values) the answers are the same.
  const cache = new PlanCache({ limit: 50 });
  for (const k of [1, 2, 3, 43]) {
    const q = `SELECT id FROM orders WHERE customer_id IN (${k}, ${k + 1}) UNION SELECT id FROM orders`;
    const cached = route(table, { database: 'shop', user: 'shop', query: q, analysis: cache.analyzeCached(q), session: { inTransaction: false } });
    assert.deepEqual(cached, run(q));
  }
});

test('COPY into a sharded table without its key column is refused; with it, split to all shards', () => {
  refused(run('COPY orders (id, total) FROM STDIN'), /COPY into orders without its sharding column customer_id cannot be split/);
  const split = run('COPY orders (customer_id, total) FROM STDIN');
  assert.deepEqual([split.shards, split.blocked], ['all', null]);
  assert.match(split.reason, /split across the shards by customer_id/);
});
