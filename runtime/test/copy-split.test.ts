// COPY FROM STDIN splitting against real PostgreSQL: 10k generated rows are exported by
// PostgreSQL in text, CSV (with header) and binary, cut into awkward chunks, split into three
// shards with the compiler's partition hash, loaded back with COPY into one table per shard, and
// every row must sit where satisfies_hash_partition says; bad rows fail with their line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashParam, shardFor } from '@pgdog/compiler';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { CopySplitter, type CopySplitOptions } from '../src/copy/copy-splitter.js';
import { errorMessage, RawPg } from '../src/merge/testing/raw-pg.js';

const SHARDS = 3;
let pg: PgServer;
let conn: RawPg;

before(async () => {
  pg = await startPostgres({ users: [{ name: 'copier', auth: 'trust', superuser: true }] });
  conn = await RawPg.connect(pg.host, pg.port, 'copier', 'postgres');
  const setup = await conn.simple(`
    CREATE TABLE src (id bigint, name text, note text);
    INSERT INTO src SELECT g, 'user ' || g || E'\\t"q"', CASE WHEN g % 7 = 0 THEN NULL ELSE E'line\\nbreak, \\\\ ' || g END
      FROM generate_series(-5000, 4999) g;
    CREATE TABLE hp (id bigint, name text, note text) PARTITION BY HASH (id);`);
  assert.equal(errorMessage(setup), null);
});

after(async () => {
  conn?.close();
  await stopAll();
});

function splitter(format: CopySplitOptions['format'], header = false): CopySplitter {
  return new CopySplitter({
    format, header, keyColumn: 0, columnCount: 3, shards: SHARDS,
    shardOf: (value, fmt) => {
      if (value === null) return 'the sharding key is NULL';
      const h = hashParam('bigint', value, fmt);
      return h.ok ? shardFor(h.hash, SHARDS) : h.reason;
    },
  });
}

/** Re-cuts the stream into chunks of varying small sizes so rows and escapes span chunks. */
function rechunk(payloads: readonly Buffer[]): Buffer[] {
  const all = Buffer.concat(payloads);
  const out: Buffer[] = [];
  for (let p = 0, n = 1; p < all.length; n = (n * 7 + 3) % 97 + 1) {
    out.push(all.subarray(p, p + n));
    p += n;
  }
  return out;
}

async function splitAndCheck(format: CopySplitOptions['format'], options: string, header: boolean): Promise<void> {
  const exported = await conn.copyOut(`COPY src TO STDOUT ${options}`);
  const s = splitter(format, header);
  const perShard: Buffer[][] = Array.from({ length: SHARDS }, () => []);
  for (const chunk of rechunk(exported)) {
    s.push(chunk);
    for (let i = 0; i < SHARDS; i++) {
      const b = s.take(i);
      if (b) perShard[i]!.push(b);
    }
  }
  s.end();
  for (let i = 0; i < SHARDS; i++) {
    const b = s.take(i);
    if (b) perShard[i]!.push(b);
  }
  assert.equal(s.error, null);
  assert.equal(s.totalRows, 10000);
  for (let i = 0; i < SHARDS; i++) {
    const table = `part_${format}_${i}`;
    assert.equal(errorMessage(await conn.simple(`CREATE TABLE ${table} (id bigint, name text, note text)`)), null);
    const loaded = await conn.copyIn(`COPY ${table} FROM STDIN ${options}`, perShard[i]!);
    assert.equal(errorMessage(loaded), null, `COPY into ${table}`);
    const [check] = await pg.query<{ n: string; wrong: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE NOT satisfies_hash_partition('hp'::regclass, ${SHARDS}, ${i}, id)) AS wrong FROM ${table}`);
    assert.equal(Number(check!.n), s.rows[i], `rows counted for shard ${i}`);
    assert.equal(check!.wrong, '0', `rows on the wrong shard in ${table}`);
  }
  const [same] = await pg.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT * FROM part_${format}_0 UNION ALL SELECT * FROM part_${format}_1 UNION ALL SELECT * FROM part_${format}_2) p
     JOIN src USING (id) WHERE p.name = src.name AND p.note IS NOT DISTINCT FROM src.note`);
  assert.equal(same!.n, '10000', 'every row arrives unchanged');
}

describe('COPY splitting matches PostgreSQL hash partitioning', () => {
  it('text format, 10k rows', () => splitAndCheck('text', '', false));
  it('CSV with HEADER, 10k rows', () => splitAndCheck('csv', '(FORMAT csv, HEADER true)', true));
  it('binary format, 10k rows', () => splitAndCheck('binary', '(FORMAT binary)', false));

  it('a malformed row fails the whole split with its line number', () => {
    const s = splitter('text');
    s.push(Buffer.from('1\ta\tb\n2\tc\td\n3\tonly-two\n4\te\tf\n'));
    assert.equal(s.error?.line, 3);
    assert.match(s.error!.message, /missing data for column 3/);
    assert.equal(s.take(0), null);
    const c = splitter('csv');
    c.push(Buffer.from('1,a,b\nx,"unterminated\n'));
    c.end();
    assert.equal(c.error?.line, 2);
    assert.match(c.error!.message, /invalid input syntax for type bigint|unterminated/);
  });
});
