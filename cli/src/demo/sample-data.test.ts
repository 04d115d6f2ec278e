import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countryRows, insertStatements, orderRows, SAMPLE_ROWS, sampleInserts, userRows } from './sample-data.js';

test('row counts match SAMPLE_ROWS and ids are 1..n', () => {
  assert.equal(countryRows().rows.length, SAMPLE_ROWS.countries);
  assert.deepEqual(userRows().rows.map((r) => r[0]), Array.from({ length: SAMPLE_ROWS.users }, (_, i) => String(i + 1)));
  assert.deepEqual(orderRows().rows.map((r) => r[0]), Array.from({ length: SAMPLE_ROWS.orders }, (_, i) => String(i + 1)));
});

test('rows follow the documented formulas', () => {
  // 42 * 7 hours = 12 days 6 hours after 2025-01-01; 42 mod 12 = 6 -> the 7th code in order, IN.
  assert.deepEqual(userRows().rows[41], ['42', "'user 42'", "'user42@example.com'", "'IN'", "'2025-01-13T06:00:00.000Z'"]);
  const orders = orderRows().rows;
  assert.deepEqual(orders[0], ['1', '1', '38.01', "'paid'", "'2025-02-01T03:00:00.000Z'"]);
  assert.deepEqual(orders[999]!.slice(0, 4), ['1000', '100', '1.00', "'pending'"]);
  // (109 * 37) mod 500 + 1 = 34 units, 9 cents: the cents keep their leading zero.
  assert.equal(orders[108]![2], '34.09');
});

test('inserts come in batches, parents first, with quotes doubled', () => {
  const t = { table: 'notes', columns: ['id', 'body'], rows: [['1', "'a'"], ['2', "'b'"], ['3', "'c'"]] };
  assert.deepEqual(insertStatements(t, 2), ["INSERT INTO notes (id, body) VALUES\n  (1, 'a'),\n  (2, 'b')", "INSERT INTO notes (id, body) VALUES\n  (3, 'c')"]);
  const all = sampleInserts(250);
  assert.deepEqual(all.map((s) => /^INSERT INTO (\w+)/.exec(s)![1]), ['countries', 'users', 'users', 'orders', 'orders', 'orders', 'orders']);
  assert.ok(countryRows().rows.every(([, name]) => /^'[^']*'$/.test(name!)));
});
