// Issue 7 acceptance: the same generated data set in one plain PostgreSQL database and, loaded
// through pgdog, in 2 shards (two databases on one server) and in 3 shards (three servers); every
// query of DIFF_QUERIES must answer identically through pgdog: column names, command tag, row
// count and rows (ordered where ORDER BY fixes the order, as a multiset otherwise), in the simple
// protocol and in the extended protocol.
//
// PGDOG_SHARDED_SELFCHECK=1 replaces pgdog by two more plain databases, loaded the same way: it
// checks the data set, the queries and the comparison themselves (every query must then pass).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { generateDataSet, DDL } from './support/dataset.js';
import { DIFF_QUERIES } from './support/differential-queries.js';
import { compareQuery } from './support/result-compare.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog } from './support/sharded-pgdog.js';
import { connectText, type TextClient } from './support/text-client.js';

const SELFCHECK = process.env.PGDOG_SHARDED_SELFCHECK === '1';
const data = generateDataSet();
let servers: PgServer[] = [];
let pgdog: ShardedPgdog | null = null;
let plain: TextClient;
const targets = new Map<string, TextClient>();

async function load(client: TextClient): Promise<number[]> {
  for (const ddl of DDL) await client.query(ddl);
  const counts: number[] = [];
  for (const ins of data.inserts) counts.push((await client.query(ins)).rowCount ?? -1);
  return counts;
}

before(async () => {
  servers = await startServers(4, SHARD_SERVER_OPTIONS);
  const [p, a, b, c] = servers as [PgServer, PgServer, PgServer, PgServer];
  await createShardDatabases(p, ['plain', 'self_two', 'self_three']);
  await createShardDatabases(a, ['two_0', 'two_1', 'three_0']);
  await createShardDatabases(b, ['three_1']);
  await createShardDatabases(c, ['three_2']);
  plain = await connectText(p.host, p.port, APP_USER, 'plain');
  await load(plain);
  if (SELFCHECK) {
    targets.set('two', await connectText(p.host, p.port, APP_USER, 'self_two'));
    targets.set('three', await connectText(p.host, p.port, APP_USER, 'self_three'));
  } else {
    pgdog = await startShardedPgdog({
      databases: [
        { name: 'two', shards: [{ server: a, database: 'two_0' }, { server: a, database: 'two_1' }], shardingColumn: 'user_id', omnisharded: ['countries'] },
        { name: 'three', shards: [{ server: a, database: 'three_0' }, { server: b, database: 'three_1' }, { server: c, database: 'three_2' }], shardingColumn: 'user_id', omnisharded: ['countries'] },
      ],
      users: [{ name: APP_USER, database: 'two' }, { name: APP_USER, database: 'three' }],
    });
    targets.set('two', await connectText('127.0.0.1', pgdog.port, APP_USER, 'two'));
    targets.set('three', await connectText('127.0.0.1', pgdog.port, APP_USER, 'three'));
  }
});

after(async () => {
  await plain?.end().catch(() => {});
  for (const t of targets.values()) await t.end().catch(() => {});
  await pgdog?.stop();
  await stopAll();
});

async function runAll(target: TextClient, mode: 'simple' | 'extended', withParams: boolean): Promise<void> {
  const failures: string[] = [];
  let run = 0;
  for (const q of DIFF_QUERIES) {
    if ((q.params !== undefined) !== withParams) continue;
    run++;
    const diff = await compareQuery(plain, target, q.sql, q.ordered, q.params, mode);
    if (diff !== null) failures.push(`${q.sql}${q.params ? ` ${JSON.stringify(q.params)}` : ''}\n    ${diff}`);
  }
  assert.ok(run > 0);
  assert.equal(failures.length, 0, `${failures.length} of ${run} queries differ (${mode}):\n  ${failures.slice(0, 25).join('\n  ')}`);
}

for (const setup of ['two', 'three'] as const) {
  describe(`${setup === 'two' ? 2 : 3} shards: answers equal one plain PostgreSQL`, () => {
    it('loads the data set: DDL to every shard, multi-row INSERTs report the same row counts', async () => {
      const target = targets.get(setup)!;
      const counts = await load(target);
      const expected = data.inserts.map((ins) => Number(/VALUES (.*)$/s.exec(ins)![1]!.split(/\), \(/).length));
      assert.deepEqual(counts, expected);
      const total = await target.query('SELECT count(*) FROM users');
      assert.deepEqual(total.rows, [[String(data.userIds.length)]]);
    });

    it(`${DIFF_QUERIES.filter((q) => q.params === undefined).length} queries, simple protocol`, async () => {
      assert.ok(DIFF_QUERIES.length >= 100, `${DIFF_QUERIES.length} queries`);
      await runAll(targets.get(setup)!, 'simple', false);
    });

    it('the same queries, extended protocol without parameters', async () => {
      await runAll(targets.get(setup)!, 'extended', false);
    });

    it(`${DIFF_QUERIES.filter((q) => q.params !== undefined).length} queries with bind parameters (extended protocol)`, async () => {
      await runAll(targets.get(setup)!, 'extended', true);
    });
  });
}
