// Issue 7 acceptance: after the data set is loaded through pgdog (DDL, multi-row INSERTs), every
// users / orders row sits on the shard PostgreSQL's own PARTITION BY HASH would pick, nothing is
// lost or duplicated, and the omnisharded countries table is complete on every shard.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { DDL, generateDataSet } from './support/dataset.js';
import { createHashOracle, onShard, shardRows } from './support/placement.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';
import { connectText } from './support/text-client.js';

const data = generateDataSet();
let pgdog: ShardedPgdog | null = null;
const setups = new Map<string, ShardSpec[]>();

before(async () => {
  const [a, b, c] = (await startServers(3, SHARD_SERVER_OPTIONS)) as [PgServer, PgServer, PgServer];
  await createShardDatabases(a, ['two_0', 'two_1', 'three_0']);
  await createShardDatabases(b, ['three_1']);
  await createShardDatabases(c, ['three_2']);
  setups.set('two', [{ server: a, database: 'two_0' }, { server: a, database: 'two_1' }]);
  setups.set('three', [{ server: a, database: 'three_0' }, { server: b, database: 'three_1' }, { server: c, database: 'three_2' }]);
  for (const shards of setups.values()) await createHashOracle(shards);
  pgdog = await startShardedPgdog({
    databases: [...setups].map(([name, shards]) => ({ name, shards, shardingColumn: 'user_id', omnisharded: ['countries'] })),
    users: [...setups.keys()].map((database) => ({ name: APP_USER, database })),
  });
});

after(async () => {
  await pgdog?.stop();
  await stopAll();
});

for (const name of ['two', 'three']) {
  describe(`${name === 'two' ? 2 : 3} shards: rows placed as PostgreSQL hash partitioning places them`, () => {
    it('loads through pgdog', async () => {
      const client = await connectText('127.0.0.1', pgdog!.port, APP_USER, name);
      try {
        for (const ddl of DDL) await client.query(ddl);
        for (const ins of data.inserts) await client.query(ins);
      } finally {
        await client.end();
      }
    });

    it('DDL reached every shard', async () => {
      for (const s of setups.get(name)!) {
        const rows = await onShard<{ n: string }>(s, "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('users', 'orders', 'countries')");
        assert.equal(rows[0]!.n, '3', `tables on ${s.database}`);
      }
    });

    for (const table of ['users', 'orders']) {
      it(`every ${table} row is on its hash shard, none lost or duplicated`, async () => {
        const shards = setups.get(name)!;
        const per = await shardRows(shards, table, 'user_id');
        assert.deepEqual(per.map((p) => p.misplaced), shards.map(() => 0), `misplaced rows per shard: ${JSON.stringify(per)}`);
        const expected = table === 'users' ? data.userIds.length : data.orderCount;
        assert.equal(per.reduce((n, p) => n + p.total, 0), expected);
        // Every shard got some rows: a router that put everything on one shard would not pass.
        assert.ok(per.every((p) => p.total > 0), JSON.stringify(per));
      });
    }

    it('the users of the edge keys (0, -1, int32 and int64 limits) are each on exactly one shard', async () => {
      const shards = setups.get(name)!;
      for (const key of ['0', '-1', '2147483647', '2147483648', '9223372036854775807', '-9223372036854775808']) {
        let copies = 0;
        for (const s of shards) copies += Number((await onShard<{ n: string }>(s, 'SELECT count(*) AS n FROM users WHERE user_id = $1', [key]))[0]!.n);
        assert.equal(copies, 1, `user ${key}`);
      }
    });

    it('the omnisharded countries table is complete on every shard', async () => {
      for (const s of setups.get(name)!) {
        const rows = await onShard<{ code: string; name: string | null }>(s, 'SELECT code, name FROM countries ORDER BY code, name');
        assert.equal(rows.length, 12, `countries on ${s.database}`);
        assert.equal(rows.filter((r) => r.code === 'FR').length, 2);
      }
    });
  });
}
