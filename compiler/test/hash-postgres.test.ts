// The routing hash against a real PostgreSQL: for each value and every modulus 2..12, the shard we
// compute must be the remainder for which PostgreSQL's satisfies_hash_partition() accepts the value
// on a table PARTITION BY HASH over one column of that type. The raw per-type hashes are also
// compared with PostgreSQL's own extended hash functions under several seeds.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startPostgres, type PgClient, type PgServer } from '@pgdog/testing';
import { HASH_PARTITION_SEED, hash64ToBigInt, hashBytesExtended, hashInt8Extended, shardFor, type Hash64 } from '../src/routing/hash.js';
import { hashParam, hashText, type HashResult } from '../src/routing/shard-value.js';

const MODULI = Array.from({ length: 11 }, (_, i) => i + 2); // 2..12
const RANDOM_PER_TYPE = 1000;
let server: PgServer | undefined;
let client: PgClient | undefined;

// One hash-partitioned parent per column type; satisfies_hash_partition needs no partitions.
const TABLES = {
  bigint: 'bigint',
  integer: 'integer',
  smallint: 'smallint',
  text: 'text',
  varchar: 'varchar',
  uuid: 'uuid',
} as const;
type PgType = keyof typeof TABLES;

// One root hook does start, connect and set-up: Node 20 runs separate root-level before() hooks
// concurrently, so a second hook could not rely on the server started by the first.
before(async () => {
  server = await startPostgres();
  client = await server.connect();
  const { rows } = await client.query<{ server_encoding: string }>('SHOW server_encoding');
  assert.equal(rows[0].server_encoding, 'UTF8', 'multi-byte text checks need a UTF8 database');
  for (const [name, type] of Object.entries(TABLES)) {
    await client.query(`CREATE TABLE hp_${name} (k ${type}) PARTITION BY HASH (k)`);
  }
});

after(async () => {
  await client?.end();
  await server?.destroy();
});

function db(): PgClient {
  assert.ok(client, 'PostgreSQL did not start');
  return client;
}

/** For each value (as text), the remainder PostgreSQL accepts for every modulus in MODULI. */
async function postgresRemainders(type: PgType, values: readonly string[]): Promise<number[][]> {
  const sql = `
    SELECT t.i, array_agg(
      (SELECT r FROM generate_series(0, m - 1) r WHERE satisfies_hash_partition('hp_${type}'::regclass, m, r, t.v))
      ORDER BY m) AS rs
    FROM unnest($1::${TABLES[type]}[]) WITH ORDINALITY AS t(v, i), unnest($2::int[]) AS m
    GROUP BY t.i ORDER BY t.i`;
  const { rows } = await db().query<{ i: string; rs: (number | null)[] }>(sql, [values, MODULI]);
  assert.equal(rows.length, values.length);
  return rows.map((r) => r.rs.map((x) => {
    assert.notEqual(x, null, 'no remainder satisfied');
    return Number(x);
  }));
}

function ok(r: HashResult, what: string): Hash64 {
  assert.ok(r.ok, `${what}: ${r.ok ? '' : r.reason}`);
  return r.hash;
}

/** Compares every value x modulus; returns the number of checks. */
async function agree(type: PgType, values: readonly string[], ours: (v: string) => Hash64[]): Promise<number> {
  const theirs = await postgresRemainders(type, values);
  let checks = 0;
  const mismatches: string[] = [];
  values.forEach((v, i) => {
    for (const h of ours(v)) {
      const mine = MODULI.map((m) => shardFor(h, m));
      checks += MODULI.length;
      if (mine.join() !== theirs[i].join()) mismatches.push(`${JSON.stringify(v)}: ours ${mine} postgres ${theirs[i]}`);
    }
  });
  assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} ${type} values disagree`);
  return checks;
}

function randomInts(bits: 16 | 32 | 64, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const b = randomBytes(8);
    // Mix magnitudes so small values (the common ids) are covered as well as full-width ones.
    const width = bits === 64 ? [8, 16, 32, 53, 64][i % 5] : bits;
    out.push(String(BigInt.asIntN(width, b.readBigUInt64BE())));
  }
  return out;
}

function be(bits: 16 | 32 | 64, v: string): Buffer {
  const b = Buffer.alloc(bits / 8);
  if (bits === 16) b.writeInt16BE(Number(v));
  else if (bits === 32) b.writeInt32BE(Number(v));
  else b.writeBigInt64BE(BigInt(v));
  return b;
}

const INT_EDGES: Record<16 | 32 | 64, string[]> = {
  16: ['0', '1', '-1', '32767', '-32768', '255', '256', '-256'],
  32: ['0', '1', '-1', '2147483647', '-2147483648', '32767', '-32768', '65536', '-65537'],
  64: ['0', '1', '-1', '42', '1000', '2147483647', '-2147483648', '2147483648', '-2147483649', '4294967295',
    '4294967296', '-4294967296', '9007199254740991', '9007199254740992', '-9007199254740993',
    '9223372036854775807', '-9223372036854775808'],
};

function randomText(n: number): string[] {
  // Code points from every UTF-8 length class (no NUL: PostgreSQL text cannot hold it).
  const pools = [[0x20, 0x7e], [0x01, 0x7f], [0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xfffd], [0x10000, 0x10ffff]];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = i % 41;
    let s = '';
    for (let j = 0; j < len; j++) {
      const [lo, hi] = pools[(i + j * 7) % (i % 3 === 0 ? 1 : pools.length)];
      s += String.fromCodePoint(lo + Math.floor(Math.random() * (hi - lo + 1)));
    }
    out.push(s);
  }
  return out;
}

const TEXT_EDGES = ['', 'a', 'hello', 'us-east-1', 'é', '日本語', '😀', 'naïve café 😀 日本', ' padded ', 'tab\there',
  ...Array.from({ length: 41 }, (_, n) => 'x'.repeat(n)), ...Array.from({ length: 14 }, (_, n) => 'ü'.repeat(n)),
  ...Array.from({ length: 12 }, (_, n) => '€'.repeat(n)), 'a'.repeat(1000)];

function uuidText(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
const UUID_EDGES = ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '11111111-1111-1111-1111-111111111111', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'];

const totals = { checks: 0 };

test('bigint column: text and binary int8 keys agree with satisfies_hash_partition', async () => {
  const values = [...INT_EDGES[64], ...randomInts(64, RANDOM_PER_TYPE)];
  totals.checks += await agree('bigint', values, (v) => [
    ok(hashText('bigint', v), v),
    ok(hashParam('bigint', be(64, v), 1), v),
  ]);
});

test('integer column: bigint keys from text and binary int4 agree', async () => {
  const values = [...INT_EDGES[32], ...randomInts(32, RANDOM_PER_TYPE)];
  totals.checks += await agree('integer', values, (v) => [
    ok(hashText('bigint', v), v),
    ok(hashParam('bigint', be(32, v), 1), v),
  ]);
});

test('smallint column: bigint keys from text and binary int2 agree', async () => {
  const values = [...INT_EDGES[16], ...randomInts(16, RANDOM_PER_TYPE)];
  totals.checks += await agree('smallint', values, (v) => [
    ok(hashText('bigint', v), v),
    ok(hashParam('bigint', be(16, v), 1), v),
  ]);
});

test('text column: varchar keys (strings and UTF-8 bytes) agree, all tail lengths and multi-byte', async () => {
  const values = [...TEXT_EDGES, ...randomText(RANDOM_PER_TYPE)];
  totals.checks += await agree('text', values, (v) => [
    ok(hashText('varchar', v), v),
    ok(hashParam('varchar', Buffer.from(v, 'utf8'), 1), v),
  ]);
});

test('varchar column: varchar keys agree', async () => {
  const values = [...TEXT_EDGES, ...randomText(RANDOM_PER_TYPE)];
  totals.checks += await agree('varchar', values, (v) => [ok(hashParam('varchar', Buffer.from(v, 'utf8'), 0), v)]);
});

test('uuid column: text and binary uuid keys agree', async () => {
  const values = [...UUID_EDGES, ...Array.from({ length: RANDOM_PER_TYPE }, () => uuidText(randomBytes(16)))];
  totals.checks += await agree('uuid', values, (v) => [
    ok(hashText('uuid', v), v),
    ok(hashText('uuid', v.replaceAll('-', '').toUpperCase()), v),
    ok(hashParam('uuid', Buffer.from(v.replaceAll('-', ''), 'hex'), 1), v),
  ]);
});

const SEEDS = [0n, 1n, HASH_PARTITION_SEED, 0xffffffffffffffffn, randomBytes(8).readBigUInt64BE()];
const signed = (h: Hash64) => String(BigInt.asIntN(64, hash64ToBigInt(h)));

test('raw hashes equal hashint{2,4,8}extended, hashtextextended and uuid_hash_extended for several seeds', async () => {
  const seeds = SEEDS.map((s) => String(BigInt.asIntN(64, s)));
  const cases: { fn: string; type: string; values: string[]; ours: (v: string, seed: bigint) => Hash64 }[] = [
    { fn: 'hashint8extended', type: 'int8', values: [...INT_EDGES[64], ...randomInts(64, 200)], ours: (v, s) => hashInt8Extended(BigInt(v), s) },
    { fn: 'hashint4extended', type: 'int4', values: [...INT_EDGES[32], ...randomInts(32, 200)], ours: (v, s) => hashInt8Extended(Number(v), s) },
    { fn: 'hashint2extended', type: 'int2', values: [...INT_EDGES[16], ...randomInts(16, 200)], ours: (v, s) => hashInt8Extended(Number(v), s) },
    { fn: 'hashtextextended', type: 'text', values: [...TEXT_EDGES, ...randomText(200)], ours: (v, s) => hashBytesExtended(Buffer.from(v, 'utf8'), s) },
    { fn: 'uuid_hash_extended', type: 'uuid', values: [...UUID_EDGES, ...Array.from({ length: 200 }, () => uuidText(randomBytes(16)))],
      ours: (v, s) => hashBytesExtended(Buffer.from(v.replaceAll('-', ''), 'hex'), s) },
  ];
  let checks = 0;
  for (const c of cases) {
    const { rows } = await db().query<{ hs: string[] }>(
      `SELECT array_agg(${c.fn}(t.v, s::int8) ORDER BY o)::text[] AS hs
       FROM unnest($1::${c.type}[]) WITH ORDINALITY AS t(v, i), unnest($2::text[]) WITH ORDINALITY AS u(s, o)
       GROUP BY t.i ORDER BY t.i`,
      [c.values, seeds],
    );
    assert.equal(rows.length, c.values.length);
    c.values.forEach((v, i) => {
      const mine = SEEDS.map((s) => signed(c.ours(v, s)));
      assert.deepEqual(mine, rows[i].hs, `${c.fn}(${JSON.stringify(v)})`);
      checks += SEEDS.length;
    });
  }
  assert.ok(checks > 5000);
});

test('every type was checked on at least 1,000 values for each modulus 2..12', (t) => {
  // 6 column types, >= 1,000 random values each, 11 moduli, 1 to 3 input forms per value.
  t.diagnostic(`${totals.checks} (value, input form, modulus) checks against satisfies_hash_partition`);
  assert.ok(totals.checks >= 6 * RANDOM_PER_TYPE * MODULI.length, `only ${totals.checks} checks ran`);
});
