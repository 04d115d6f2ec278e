// boundKeyOf() lets the proxy keep route()'s answer per key shard for a bound statement. That is
// only sound if, for a statement it answers for, route() gives the same answer for every Bind
// value that maps to the same shard, and that shard is the one route() names. Checked on every
// parameterized statement of the golden corpus, under several sessions, with many values in
// text and binary format; and the statements it must decline are declined.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@pgdog/testing';
import { analyze, boundKeyOf, literalKeyOf, PlanCache, route, type Route, type RouteSession, type RoutingTable } from '../src/index.js';
import { corpusCases, corpusRoutingTable, literalSiblings } from './support/corpus-table.js';

let table: RoutingTable;
const texts: { query: string; database: string; user: string }[] = [];
const statements = new Map<string, { query: string; database: string; user: string; params: (string | null)[] }>();

before(async () => {
  table = await corpusRoutingTable();
  for (const c of corpusCases()) {
    texts.push({ query: c.query, database: c.database ?? 'shop', user: c.user ?? 'shop' });
    if (!/\$\d/.test(c.query)) continue;
    const database = c.database ?? 'shop';
    statements.set(`${database}\0${c.query}`, { query: c.query, database, user: c.user ?? 'shop', params: c.params ?? [] });
  }
  // Each kind of sharded column of the corpus config, hashed and mapped (list and range).
  for (const [t, col] of [['stores', 'region'], ['invoices', 'invoice_id'], ['devices', 'device_id'], ['sessions', 'token'], ['customers', 'id']]) {
    const query = `SELECT * FROM ${t} WHERE ${col} = $1`;
    statements.set(`shop\0${query}`, { query, database: 'shop', user: 'shop', params: [] });
  }
});

const random = seededRandom(977);
const int = (max: number): number => Math.floor(random() * max);

/** A value for the key parameter: integers (text and int8 binary), uuids, other text. */
function value(): { bytes: Buffer; format: number } {
  switch (int(7)) {
    case 5:
      return { bytes: Buffer.from(['us-east-1', 'us-east-2', 'eu-west-1', 'eu-central-1', 'ap-south-1'][int(5)]!), format: 0 };
    case 6:
      return { bytes: Buffer.from(String(int(3_500_000))), format: 0 };
    case 0: {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(BigInt(int(2 ** 31)) * (random() < 0.5 ? -1n : 1n));
      return { bytes: b, format: 1 };
    }
    case 1: {
      const hex = Array.from({ length: 32 }, () => int(16).toString(16)).join('');
      return { bytes: Buffer.from(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`), format: 0 };
    }
    case 2:
      return { bytes: Buffer.from(`name-${int(50)}`), format: 0 };
    default:
      return { bytes: Buffer.from(String(int(1_000_000) - 1000)), format: 0 };
  }
}

const SESSIONS: RouteSession[] = [
  { inTransaction: false },
  { inTransaction: true },
  { inTransaction: true, transactionReadOnly: true },
  { inTransaction: false, applicationName: 'admin' },
  { inTransaction: false, hints: { shard: 1, shardingKey: null, role: null } },
  { inTransaction: false, hints: { shard: null, shardingKey: null, role: 'replica' } },
];

/** The answer without the key's value, which is the only part allowed to differ. */
function withoutKey(r: Route): Omit<Route, 'key'> & { key: unknown } {
  return { ...r, key: r.key === null ? null : { table: r.key.table, column: r.key.column } };
}

test('route() answers alike for every Bind value of the shard boundKeyOf maps it to, and names that shard', () => {
  let answered = 0;
  let routed = 0;
  for (const s of statements.values()) {
    const analysis = analyze(s.query);
    const key = boundKeyOf(table, s.database, analysis);
    if (key === null) continue;
    answered++;
    for (const session of SESSIONS) {
      const byShard = new Map<number, ReturnType<typeof withoutKey>>();
      for (let i = 0; i < 40; i++) {
        const v = value();
        const shard: number | null = key.shardOf(v.bytes, v.format);
        if (shard === null) continue;
        const values: (Buffer | string | null)[] = s.params.slice();
        while (values.length <= key.index) values.push('1');
        values[key.index] = v.bytes;
        const formats = values.map((_, j) => (j === key.index ? v.format : 0));
        const r = route(table, { database: s.database, user: s.user, query: s.query, analysis, session, params: { values: values as (Uint8Array | string | null)[], formats }, explain: false });
        routed++;
        if (r.source === 'sharding_key' && r.blocked === null) assert.deepEqual(r.shards, [shard], `${s.query} with ${v.bytes.toString('hex')}`);
        const seen = byShard.get(shard);
        if (seen === undefined) byShard.set(shard, withoutKey(r));
        else assert.deepEqual(withoutKey(r), seen, `${s.query} under ${JSON.stringify(session)}`);
      }
    }
  }
  assert.ok(answered >= 8, `only ${answered} corpus statements had a bound key`);
  assert.ok(routed >= 500, `only ${routed} values routed`);
});

test('statements whose route reads more than one parameter value, or none, are declined', () => {
  const decline = [
    'SELECT * FROM orders WHERE customer_id = 5',
    'SELECT * FROM orders WHERE customer_id = $1 OR customer_id = $2',
    'SELECT * FROM orders WHERE customer_id = $1 AND customer_id = $2',
    'SELECT * FROM orders WHERE customer_id = ANY($1)',
    'INSERT INTO orders (customer_id, total) VALUES ($1, 1), ($2, 2)',
    'UPDATE orders SET customer_id = $2 WHERE customer_id = $1',
    'SELECT * FROM orders',
    'SELECT 1; SELECT * FROM orders WHERE customer_id = $1',
  ];
  for (const q of decline) assert.equal(boundKeyOf(table, 'shop', analyze(q)), null, q);
  const accept = boundKeyOf(table, 'shop', analyze('SELECT * FROM orders WHERE customer_id = $2 AND total > $1'));
  assert.equal(accept?.index, 1);
  assert.equal(boundKeyOf(table, 'no_such_database', analyze('SELECT * FROM orders WHERE customer_id = $1')), null);
});

test('simple protocol: texts of one cached shape route alike for every key literal of the shard literalKeyOf maps it to', () => {
  const sibling = literalSiblings(seededRandom(31));
  const cache = new PlanCache({ limit: 10_000 });
  let answered = 0;
  for (const t of texts) {
    const first = cache.analyzeCached(t.query);
    const shape = cache.answeredShape();
    const key = shape === null ? null : literalKeyOf(table, t.database, first);
    if (key === null) continue;
    answered++;
    for (const session of SESSIONS) {
      const byShard = new Map<number, unknown>();
      for (let i = 0; i < 12; i++) {
        const q = i === 0 ? t.query : sibling(t.query);
        if (q === null) break;
        const analysis = cache.analyzeCached(q);
        if (cache.answeredShape() !== shape) continue;
        const shard: number | null = key.shardOf(analysis);
        if (shard === null) continue;
        const r = route(table, { database: t.database, user: t.user, query: q, analysis, session, explain: false });
        if (r.source === 'sharding_key' && r.blocked === null) assert.deepEqual(r.shards, [shard], q);
        const seen = byShard.get(shard);
        const same = { ...withoutKey(r), query: null };
        if (seen === undefined) byShard.set(shard, same);
        else assert.deepEqual(same, seen, `${q} under ${JSON.stringify(session)}`);
      }
    }
  }
  assert.ok(answered >= 60, `only ${answered} corpus texts had a literal key`);
  for (const q of ["SET pgdog.sharding_key TO '5'", 'SELECT * FROM orders WHERE customer_id = 1 OR customer_id = 2', 'UPDATE orders SET customer_id = 2 WHERE customer_id = 1', 'SELECT * FROM orders WHERE customer_id = $1']) {
    assert.equal(literalKeyOf(table, 'shop', analyze(q)), null, q);
  }
});
