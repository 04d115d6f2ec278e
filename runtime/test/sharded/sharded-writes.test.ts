// Issue 7 acceptance: writes through pgdog on 2 shards. Where a write went is read back from each
// shard database directly; a "decoy" row planted on the wrong shard (bypassing pgdog) shows
// whether a keyed UPDATE / DELETE was sent to more than its own shard.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { createHashOracle, onShard, shardOfKey, shardRows } from './support/placement.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, STRICT_USER, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';
import { connectText, errorOf, type TextClient } from './support/text-client.js';

let pgdog: ShardedPgdog | null = null;
let shards: ShardSpec[] = [];
let app: TextClient;
/** Keys that PostgreSQL's hash puts on shard 0 and on shard 1, in increasing order. */
const keysOn: [number[], number[]] = [[], []];

const count = async (shard: ShardSpec, where: string): Promise<number> =>
  Number((await onShard<{ n: string }>(shard, `SELECT count(*) AS n FROM accounts WHERE ${where}`))[0]!.n);

before(async () => {
  const [a, b] = (await startServers(2, SHARD_SERVER_OPTIONS)) as [PgServer, PgServer];
  await createShardDatabases(a, ['w_0']);
  await createShardDatabases(b, ['w_1']);
  shards = [{ server: a, database: 'w_0' }, { server: b, database: 'w_1' }];
  await createHashOracle(shards);
  for (let k = 1; keysOn[0].length < 12 || keysOn[1].length < 12; k++) keysOn[await shardOfKey(shards, k) as 0 | 1].push(k);
  pgdog = await startShardedPgdog({
    databases: [{ name: 'w', shards, shardingColumn: 'user_id' }],
    users: [{ name: APP_USER, database: 'w' }, { name: STRICT_USER, database: 'w', cross_shard_disabled: true }],
  });
  app = await connectText('127.0.0.1', pgdog.port, APP_USER, 'w');
  await app.query('CREATE TABLE accounts (user_id bigint, balance int, note text)');
});

after(async () => {
  await app?.end().catch(() => {});
  await pgdog?.stop();
  await stopAll();
});

describe('sharded writes through pgdog (2 shards)', () => {
  it('DDL went to every shard', async () => {
    for (const s of shards) assert.equal(await count(s, 'true'), 0);
  });

  it('a one-row INSERT lands on its shard only', async () => {
    const [k0, k1] = [keysOn[0][0]!, keysOn[1][0]!];
    assert.equal((await app.query(`INSERT INTO accounts (user_id, balance) VALUES (${k0}, 10)`)).rowCount, 1);
    assert.equal((await app.query('INSERT INTO accounts (user_id, balance) VALUES ($1, 10)', [String(k1)])).rowCount, 1);
    assert.deepEqual([await count(shards[0]!, `user_id = ${k0}`), await count(shards[1]!, `user_id = ${k0}`)], [1, 0]);
    assert.deepEqual([await count(shards[0]!, `user_id = ${k1}`), await count(shards[1]!, `user_id = ${k1}`)], [0, 1]);
  });

  it('a multi-row INSERT is split: each row on its shard, the row count is the total', async () => {
    const keys = [...keysOn[0].slice(1, 6), ...keysOn[1].slice(1, 6)].sort((x, y) => x - y);
    const r = await app.query(`INSERT INTO accounts (user_id, balance) VALUES ${keys.map((k) => `(${k}, 20)`).join(', ')}`);
    assert.equal(r.command, 'INSERT');
    assert.equal(r.rowCount, 10);
    const per = await shardRows(shards, 'accounts', 'user_id');
    assert.deepEqual(per, [{ total: 6, misplaced: 0 }, { total: 6, misplaced: 0 }]);
  });

  it('UPDATE / DELETE with the key go to one shard (a decoy on the other shard is untouched)', async () => {
    const k1 = keysOn[1][0]!;
    await onShard(shards[0]!, `INSERT INTO accounts (user_id, balance, note) VALUES (${k1}, 0, 'decoy')`);
    const u = await app.query(`UPDATE accounts SET balance = balance + 1 WHERE user_id = ${k1}`);
    assert.equal(u.rowCount, 1);
    assert.equal(await count(shards[1]!, `user_id = ${k1} AND balance = 11`), 1);
    assert.equal(await count(shards[0]!, `user_id = ${k1} AND balance = 0`), 1, 'the UPDATE reached the wrong shard');
    const d = await app.query('DELETE FROM accounts WHERE user_id = $1', [String(k1)]);
    assert.equal(d.rowCount, 1);
    assert.equal(await count(shards[1]!, `user_id = ${k1}`), 0);
    assert.equal(await count(shards[0]!, `user_id = ${k1}`), 1, 'the DELETE reached the wrong shard');
    await onShard(shards[0]!, "DELETE FROM accounts WHERE note = 'decoy'");
  });

  it('UPDATE / DELETE without the key go to every shard; row counts are summed', async () => {
    const u = await app.query("UPDATE accounts SET note = 'all'");
    assert.equal(u.rowCount, 11);
    for (const s of shards) assert.equal(await count(s, "note IS DISTINCT FROM 'all'"), 0);
    const d = await app.query('DELETE FROM accounts WHERE balance = 20');
    assert.equal(d.rowCount, 10);
    assert.deepEqual((await shardRows(shards, 'accounts', 'user_id')).map((p) => p.total), [1, 0]);
  });

  it('an UPDATE that would move a row to another shard is refused with a clear error', async () => {
    const [k0, k1] = [keysOn[0][0]!, keysOn[1][6]!];
    const err = await errorOf(app.query(`UPDATE accounts SET user_id = ${k1} WHERE user_id = ${k0}`));
    assert.notEqual(err, null, 'the UPDATE was accepted');
    assert.match(err!, /shard/i);
    assert.equal(await count(shards[0]!, `user_id = ${k0}`), 1);
    assert.equal(await count(shards[1]!, `user_id = ${k1}`), 0);
    assert.equal((await app.query('SELECT 1')).rowCount, 1);
  });

  it('a transaction over both shards: COMMIT reaches every shard', async () => {
    const [k0, k1] = [keysOn[0][7]!, keysOn[1][7]!];
    await app.query('BEGIN');
    await app.query(`INSERT INTO accounts (user_id, balance) VALUES (${k0}, 1)`);
    await app.query(`INSERT INTO accounts (user_id, balance) VALUES (${k1}, 1)`);
    // Not visible outside the transaction yet, on either shard.
    assert.deepEqual([await count(shards[0]!, `user_id = ${k0}`), await count(shards[1]!, `user_id = ${k1}`)], [0, 0]);
    assert.equal((await app.query('COMMIT')).command, 'COMMIT');
    assert.deepEqual([await count(shards[0]!, `user_id = ${k0}`), await count(shards[1]!, `user_id = ${k1}`)], [1, 1]);
  });

  it('a transaction over both shards: ROLLBACK reaches every shard', async () => {
    const [k0, k1] = [keysOn[0][8]!, keysOn[1][8]!];
    await app.query('BEGIN');
    await app.query(`INSERT INTO accounts (user_id, balance) VALUES (${k0}, 1), (${k1}, 1)`);
    await app.query("UPDATE accounts SET note = 'rolled back'");
    assert.equal((await app.query('ROLLBACK')).command, 'ROLLBACK');
    for (const s of shards) {
      assert.equal(await count(s, `user_id IN (${k0}, ${k1})`), 0);
      assert.equal(await count(s, "note = 'rolled back'"), 0);
    }
    for (const s of shards) {
      const open = await onShard<{ n: string }>(s, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'");
      assert.equal(open[0]!.n, '0', `a transaction stayed open on ${s.database}`);
    }
  });

  it('cross_shard_disabled refuses cross-shard queries and allows single-shard ones', async () => {
    const strict = await connectText('127.0.0.1', pgdog!.port, STRICT_USER, 'w');
    try {
      const err = await errorOf(strict.query('SELECT * FROM accounts'));
      assert.notEqual(err, null, 'a cross-shard SELECT was allowed');
      assert.match(err!, /cross.shard|shards/i);
      assert.notEqual(await errorOf(strict.query(`DELETE FROM accounts WHERE user_id IN (${keysOn[0][0]}, ${keysOn[1][0]})`)), null);
      const one = await strict.query(`SELECT user_id FROM accounts WHERE user_id = ${keysOn[0][0]}`);
      assert.deepEqual(one.rows, [[String(keysOn[0][0])]]);
    } finally {
      await strict.end();
    }
  });

  it('a cross-shard window function gets an error naming it, not a wrong answer', async () => {
    const err = await errorOf(app.query('SELECT user_id, row_number() OVER (ORDER BY user_id) FROM accounts'));
    assert.notEqual(err, null, 'the window function ran across shards');
    assert.match(err!, /window|row_number|OVER/i);
    assert.equal((await app.query('SELECT count(*) FROM accounts')).rows[0]![0], '3');
  });
});
