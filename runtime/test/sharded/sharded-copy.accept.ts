// Issue 7 acceptance: COPY ... FROM STDIN of 100,000 rows through pgdog into 3 shards, in text,
// CSV with HEADER, and binary, sent in chunks cut at arbitrary bytes. The client sees one
// CommandComplete "COPY 100000"; each shard holds exactly the rows PostgreSQL's hash
// partitioning gives it. A malformed row in the middle fails the whole COPY and no shard keeps
// any row of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { binaryPayload, chunks, copyRows, csvPayload, textPayload } from './support/copy-payloads.js';
import { createHashOracle, onShard, shardRows } from './support/placement.js';
import { firstError, RawClient, tags } from './support/raw-client.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';

const N = 100_000;
const rows = copyRows(N);
const FORMATS = {
  text: { option: '', payload: textPayload },
  csv: { option: ' WITH (FORMAT csv, HEADER true)', payload: csvPayload },
  binary: { option: ' WITH (FORMAT binary)', payload: binaryPayload },
} as const;
let pgdog: ShardedPgdog | null = null;
let shards: ShardSpec[] = [];
let client: RawClient;

before(async () => {
  const [a, b] = (await startServers(2, SHARD_SERVER_OPTIONS)) as [PgServer, PgServer];
  await createShardDatabases(a, ['copy_0', 'copy_2']);
  await createShardDatabases(b, ['copy_1']);
  shards = [{ server: a, database: 'copy_0' }, { server: b, database: 'copy_1' }, { server: a, database: 'copy_2' }];
  await createHashOracle(shards);
  pgdog = await startShardedPgdog({ databases: [{ name: 'events', shards, shardingColumn: 'user_id' }], users: [{ name: APP_USER, database: 'events' }] });
  client = await RawClient.connect(pgdog.port, APP_USER, 'events');
  for (const f of Object.keys(FORMATS)) {
    for (const t of [`copy_${f}`, `copy_bad_${f}`]) {
      const out = await client.simple(`CREATE TABLE ${t} (user_id bigint, seq int, label text)`);
      assert.equal(firstError(out), null, `create ${t}`);
    }
  }
});

after(async () => {
  client?.close();
  await pgdog?.stop();
  await stopAll();
});

for (const [format, f] of Object.entries(FORMATS)) {
  describe(`COPY FROM STDIN, ${format}`, () => {
    it(`${N} rows: one CopyComplete with the total, each row on its hash shard`, async () => {
      const out = await client.copyIn(`COPY copy_${format} (user_id, seq, label) FROM STDIN${f.option}`, chunks(f.payload(rows)));
      assert.equal(firstError(out)?.M ?? null, null);
      assert.deepEqual(tags(out), [`COPY ${N}`]);
      const per = await shardRows(shards, `copy_${format}`, 'user_id');
      assert.deepEqual(per.map((p) => p.misplaced), [0, 0, 0], JSON.stringify(per));
      assert.equal(per.reduce((n, p) => n + p.total, 0), N);
      assert.ok(per.every((p) => p.total > N / 6), JSON.stringify(per));
    });

    it('the rows arrive intact (labels with tabs, quotes, newlines, multi-byte text, NULLs)', async () => {
      const expected = new Map(rows.map((r) => [r.seq, r]));
      let seen = 0;
      for (const s of shards) {
        const got = await onShard<{ user_id: string; seq: number; label: string | null }>(s, `SELECT user_id::text AS user_id, seq, label FROM copy_${format} WHERE seq % 97 = 0`);
        for (const g of got) {
          const e = expected.get(g.seq)!;
          assert.deepEqual([g.user_id, g.label], [String(e.userId), e.label], `seq ${g.seq}`);
          seen++;
        }
      }
      assert.equal(seen, Math.ceil(N / 97));
    });

    it('a malformed row in the middle fails the whole COPY; no shard keeps any row', async () => {
      const out = await client.copyIn(`COPY copy_bad_${format} (user_id, seq, label) FROM STDIN${f.option}`, chunks(f.payload(rows, N / 2)));
      const err = firstError(out);
      assert.notEqual(err, null, 'no error for a malformed row');
      assert.equal(out.filter((x) => x.code === 'E').length, 1, 'exactly one ErrorResponse');
      assert.deepEqual(tags(out), []);
      const per = await shardRows(shards, `copy_bad_${format}`, 'user_id');
      assert.deepEqual(per.map((p) => p.total), [0, 0, 0]);
      // The session is usable afterwards.
      assert.deepEqual(tags(await client.simple('SELECT 1')), ['SELECT 1']);
    });
  });
}
