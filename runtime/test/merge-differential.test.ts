// Differential test of cross-shard merging against real PostgreSQL: one table on one server is
// split into three "shard" tables; every query's shard SQL runs on each part, the merger combines
// the frames, and the result must equal the same query on the whole table (ordered where ORDER
// BY fixes the order, as a multiset otherwise), in text and binary formats.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser, planCrossShardSelect } from '@pgdog/compiler';
import { seededRandom, startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { ResultMerger } from '../src/merge/result-merger.js';
import { RawPg, type Frame } from '../src/merge/testing/raw-pg.js';
import { MessageWriter } from '../src/protocol/writer.js';

const SHARDS = 3;
let pg: PgServer;
let conn: RawPg;

before(async () => {
  await loadSqlParser();
  pg = await startPostgres({ users: [{ name: 'merge', auth: 'trust', superuser: true }] });
  conn = await RawPg.connect(pg.host, pg.port, 'merge', 'postgres', { TimeZone: 'America/New_York' });
  const rand = seededRandom(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const maybe = (s: string): string => (rand() < 0.12 ? 'NULL' : s);
  const rows: string[] = [];
  for (let id = 1; id <= 300; id++) {
    const k = maybe(String(Math.floor(rand() * 9) - 2));
    const s = maybe(String(Math.floor(rand() * 200) - 100));
    const n = maybe((Math.floor(rand() * 2000000) / 1000 - 1000).toFixed(Math.floor(rand() * 4)));
    const f = rand() < 0.03 ? "'NaN'" : maybe(String(Math.floor(rand() * 400 - 200) / 4));
    const r = maybe(String(Math.floor(rand() * 100 - 50) / 2));
    const t = maybe(`'${pick(['apple', 'Apple', 'banana', 'épée', 'zebra', '', 'a b', 'Zulu', 'äpfel', '日本'])}${Math.floor(rand() * 5)}'`);
    const v = maybe(`'${pick(['x', 'y', 'xy', 'Y'])}${Math.floor(rand() * 30)}'`);
    const day = Math.floor(rand() * 4000);
    const ts = maybe(`timestamp '2015-03-01 00:00:00' + interval '${day} days ${Math.floor(rand() * 86400)} seconds ${Math.floor(rand() * 1e6)} microseconds'`);
    const tz = maybe(`timestamptz '2018-01-01 00:00:00+00' + interval '${day} hours ${Math.floor(rand() * 3600)} seconds'`);
    const d = rand() < 0.02 ? "'infinity'" : maybe(`date '1999-12-25' + ${day - 2000}`);
    const u = maybe(`'${Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('').replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}'`);
    const b = maybe(rand() < 0.5 ? 'true' : 'false');
    rows.push(`(${id}, ${k}, ${s}, ${n}, ${f}, ${r}, ${t}, ${v}, ${ts}, ${tz}, ${d}, ${u}, ${b})`);
  }
  const ddl = `CREATE TABLE items (id bigint PRIMARY KEY, k int, s smallint, n numeric(12,3), f float8, r real,
    t text, v varchar(20), ts timestamp, tz timestamptz, d date, u uuid, b bool);
    INSERT INTO items VALUES ${rows.join(',\n')};`;
  const shardDdl = Array.from({ length: SHARDS }, (_, i) =>
    `CREATE TABLE items_${i} (LIKE items); INSERT INTO items_${i} SELECT * FROM items WHERE (id * 7919) % ${SHARDS} = ${i};`).join('\n');
  const out = await conn.simple(`${ddl}\n${shardDdl}`);
  assert.equal(out.find((f) => f.code === 0x45), undefined, 'setup failed');
});

after(async () => {
  conn?.close();
  await stopAll();
});

interface Result {
  columns: string;
  rows: string[];
  tag: string | null;
  error: string | null;
}

function decode(frames: readonly Frame[]): Result {
  const res: Result = { columns: '', rows: [], tag: null, error: null };
  for (const f of frames) {
    const body = f.bytes.subarray(5);
    if (f.code === 0x54) {
      const n = body.readInt16BE(0);
      const cols: string[] = [];
      let p = 2;
      for (let i = 0; i < n; i++) {
        const z = body.indexOf(0, p);
        const name = body.toString('utf8', p, z);
        p = z + 1;
        cols.push(`${name}:${body.readUInt32BE(p + 6)}:${body.readInt16BE(p + 16)}`);
        p += 18;
      }
      res.columns = cols.join(',');
    } else if (f.code === 0x44) res.rows.push(body.toString('hex'));
    else if (f.code === 0x43) res.tag = body.toString('utf8', 0, body.length - 1);
    else if (f.code === 0x45) res.error = body.toString('utf8');
  }
  return res;
}

async function run(sql: string, params: readonly (string | null)[], format: 0 | 1 | null): Promise<Frame[]> {
  return format === null ? conn.simple(sql) : conn.extended(sql, params, format);
}

/** Runs the query whole and merged; feeds shard frames interleaved, one frame at a time. */
async function compare(sql: string, ordered: boolean, params: readonly (string | null)[] = [], format: 0 | 1 | null = null): Promise<void> {
  const expected = decode(await run(sql, params, format));
  assert.equal(expected.error, null, `whole-table query failed: ${sql}`);
  const planned = planCrossShardSelect(sql);
  assert.ok(planned.ok, `refused: ${sql}: ${planned.ok ? '' : planned.refusal.message}`);
  const plan = planned.plan;
  const shardFrames: Frame[][] = [];
  for (let i = 0; i < SHARDS; i++) {
    const frames = await run(plan.shardSql.replace(/\bitems\b/g, `items_${i}`), params, format);
    assert.equal(decode(frames).error, null, `shard query failed: ${plan.shardSql}`);
    shardFrames.push(frames.filter((f) => f.code !== 0x5a && f.code !== 0x31 && f.code !== 0x32));
  }
  const w = new MessageWriter();
  const merger = new ResultMerger(plan, SHARDS, w, { params });
  const cursor = new Array<number>(SHARDS).fill(0);
  for (let step = 0; cursor.some((c, i) => c < shardFrames[i]!.length); step++) {
    const s = step % SHARDS;
    const f = shardFrames[s]![cursor[s]!++];
    if (f === undefined) continue;
    const b = f.bytes;
    if (f.code === 0x54) merger.rowDescription(s, b, 0, b.length);
    else if (f.code === 0x44) merger.dataRow(s, b, 0, b.length);
    else if (f.code === 0x43) merger.commandComplete(s, b, 0, b.length);
    else if (f.code === 0x45) merger.errorResponse(s, b, 0, b.length);
  }
  assert.ok(merger.finished);
  const out = w.take();
  const frames: Frame[] = [];
  for (let p = 0; p < out.length;) {
    const len = out.readInt32BE(p + 1);
    frames.push({ code: out[p]!, bytes: out.subarray(p, p + len + 1) });
    p += len + 1;
  }
  const actual = decode(frames);
  assert.equal(actual.error, null, `merge failed: ${sql}`);
  assert.equal(actual.columns, expected.columns, `columns of ${sql}`);
  assert.equal(actual.tag, expected.tag, `tag of ${sql}`);
  if (ordered) assert.deepEqual(actual.rows, expected.rows, `rows of ${sql}`);
  else assert.deepEqual([...actual.rows].sort(), [...expected.rows].sort(), `rows of ${sql}`);
}

// [sql, ordered]
const QUERIES: [string, boolean][] = [
  ['SELECT id, t FROM items ORDER BY id', true],
  ['SELECT id FROM items ORDER BY id DESC LIMIT 7', true],
  ['SELECT id, k FROM items ORDER BY k, id LIMIT 20 OFFSET 5', true],
  ['SELECT id, k FROM items ORDER BY k DESC NULLS LAST, id', true],
  ['SELECT id, k FROM items ORDER BY k NULLS FIRST, id DESC', true],
  ['SELECT id FROM items ORDER BY t, id', true],
  ['SELECT id, t FROM items ORDER BY t DESC, id', true],
  ['SELECT id FROM items ORDER BY n, id', true],
  ['SELECT id, n FROM items ORDER BY n DESC, id LIMIT 30', true],
  ['SELECT id, f FROM items ORDER BY f, id', true],
  ['SELECT id, f FROM items ORDER BY f DESC, id', true],
  ['SELECT id, r FROM items ORDER BY r, id', true],
  ['SELECT id FROM items ORDER BY ts DESC, id LIMIT 15', true],
  ['SELECT id, tz FROM items ORDER BY tz, id', true],
  ['SELECT id, d FROM items ORDER BY d DESC NULLS LAST, id', true],
  ['SELECT id, u FROM items ORDER BY u, id', true],
  ['SELECT id, b FROM items ORDER BY b, id', true],
  ['SELECT id, v FROM items ORDER BY v, id OFFSET 250', true],
  ['SELECT id FROM items ORDER BY s, id LIMIT 0', true],
  ['SELECT id, lower(t) AS lt FROM items ORDER BY lower(t), id', true],
  ['SELECT id FROM items ORDER BY k * 2 + s, id', true],
  ['SELECT * FROM items ORDER BY id LIMIT 10', true],
  ['SELECT *, id AS again FROM items ORDER BY t NULLS FIRST, id OFFSET 3 LIMIT 40', true],
  ['SELECT id FROM items WHERE k = 1 ORDER BY id', true],
  ['SELECT id FROM items WHERE id < 0 ORDER BY id', true],
  ['SELECT t, v FROM items', false],
  ['SELECT DISTINCT k FROM items ORDER BY k', true],
  ['SELECT DISTINCT k, b FROM items ORDER BY 1, 2', true],
  ['SELECT DISTINCT d FROM items ORDER BY d DESC LIMIT 5', true],
  ['SELECT DISTINCT n FROM items', false],
  ['SELECT DISTINCT v FROM items ORDER BY v OFFSET 2', true],
  ['SELECT count(*) FROM items', true],
  ['SELECT count(*), count(k), sum(k), min(k), max(k), avg(k) FROM items', true],
  ['SELECT sum(n), avg(n), min(n), max(n) FROM items', true],
  ['SELECT sum(s), avg(s), sum(id), avg(id) FROM items', true],
  ["SELECT sum(f), avg(f), min(f), max(f), sum(r), avg(r) FROM items WHERE f <> 'NaN'", true],
  ['SELECT max(f), min(f) FROM items', true],
  ['SELECT min(t), max(t), min(ts), max(tz), min(d), min(v), max(v) FROM items', true],
  ['SELECT k, count(*) FROM items GROUP BY k ORDER BY k', true],
  ['SELECT k, count(*), sum(n), avg(n) FROM items GROUP BY k ORDER BY count(*) DESC, k', true],
  ['SELECT b, avg(k), max(f) FROM items GROUP BY b ORDER BY b', true],
  ['SELECT count(*) FROM items GROUP BY k', false],
  ['SELECT k, count(*) FROM items GROUP BY k HAVING count(*) > 20 ORDER BY k', true],
  ['SELECT k, sum(s) FROM items GROUP BY k HAVING sum(n) > 100 AND min(id) < 50 ORDER BY k', true],
  ['SELECT k, count(*) FROM items GROUP BY k ORDER BY k LIMIT 3 OFFSET 1', true],
  ['SELECT d, count(*) FROM items GROUP BY d ORDER BY d NULLS FIRST LIMIT 10', true],
  ['SELECT count(*) FROM items WHERE id < 0', true],
  ['SELECT sum(k), avg(n), max(t) FROM items WHERE id < 0', true],
  ['SELECT k, count(*) FROM items WHERE id < 0 GROUP BY k', true],
  ['SELECT DISTINCT count(*) FROM items GROUP BY k', false],
  ['SELECT k, count(*) FILTER (WHERE b) FROM items GROUP BY k ORDER BY k', true],
  ['SELECT upper(t), count(*) FROM items GROUP BY upper(t) ORDER BY 1', true],
  ['SELECT count(*), avg(s) FROM items GROUP BY k, b', false],
  ['SELECT k FROM items GROUP BY k ORDER BY max(n) DESC NULLS LAST, k', true],
  ['SELECT k, min(ts), max(d) FROM items GROUP BY k HAVING NOT (max(s) < 0) OR k IS NULL ORDER BY k', true],
];

describe('cross-shard merge equals the single-table answer', () => {
  it(`${QUERIES.length} queries in text format (simple protocol)`, async () => {
    assert.ok(QUERIES.length >= 40);
    for (const [sql, ordered] of QUERIES) await compare(sql, ordered);
  });

  it('parameters in LIMIT / OFFSET / HAVING (extended protocol, text)', async () => {
    await compare('SELECT id FROM items ORDER BY id LIMIT $1 OFFSET $2', true, ['5', '3'], 0);
    await compare('SELECT id FROM items ORDER BY id OFFSET $1', true, ['290'], 0);
    await compare('SELECT id FROM items ORDER BY id LIMIT $1', true, [null], 0);
    await compare('SELECT k, count(*) FROM items GROUP BY k HAVING count(*) > $1 ORDER BY k', true, ['30'], 0);
  });

  it('binary result format', async () => {
    for (const [sql, ordered] of [
      ['SELECT id, t FROM items ORDER BY id', true],
      ['SELECT id, ts, d FROM items ORDER BY ts DESC NULLS LAST, id LIMIT 50', true],
      ['SELECT id, tz FROM items ORDER BY tz, id', true],
      ['SELECT id, f, n FROM items ORDER BY n, f, id', true],
      ['SELECT count(*), count(k), sum(k), min(k), max(k), avg(k) FROM items', true],
      ['SELECT sum(n), avg(n), min(n), max(n), sum(id), avg(s) FROM items', true],
      ["SELECT sum(f), avg(f), sum(r) FROM items WHERE f <> 'NaN'", true],
      ['SELECT k, count(*), sum(n), avg(n) FROM items GROUP BY k ORDER BY count(*) DESC, k', true],
      ['SELECT DISTINCT u FROM items ORDER BY u', true],
    ] as [string, boolean][]) await compare(sql, ordered, [], 1);
  });
});
