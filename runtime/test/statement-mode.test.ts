// Statement pooling through pgdog to a real PostgreSQL: a transaction block is refused however it
// is opened (anywhere in a multi-statement Query, in a Parse, AND CHAIN) and nothing of a refused
// Query runs; statements that only look like one (a DO block, a string) run as usual.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, startPgdog, type Pgdog, type PgClient } from './e2e-harness.js';

type PgError = Error & { code?: string };
const refused = (e: PgError): boolean => e.code === '0A000' && /transaction blocks are not allowed in statement pooling mode/.test(e.message);

describe('statement pooling mode', { timeout: 120_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;
  let client: PgClient;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dog = await startPgdog({
      databases: [{ name: 'appdb', port: pg.port, pooler_mode: 'statement', pool_size: 2 }],
      users: [{ name: 'app', password: 'secret', database: 'appdb' }],
    });
    client = await pgConnect(dog.config('app', 'secret', 'appdb'));
    await client.query('create table stmt_mode (id int)');
  });
  after(async () => {
    await client?.end();
    await dog?.stop();
    await stopAll();
  });

  it('refuses BEGIN / START TRANSACTION anywhere in a multi-statement Query, running none of it', async () => {
    for (const sql of [
      'insert into stmt_mode values (1); begin',
      'insert into stmt_mode values (2); START TRANSACTION; insert into stmt_mode values (3)',
      "insert into stmt_mode values (4); /* a comment */ BEGIN ISOLATION LEVEL SERIALIZABLE; select 'x'",
      'insert into stmt_mode values (5); commit and chain',
      'begin',
    ]) {
      await assert.rejects(client.query(sql), refused, sql);
    }
    assert.equal((await client.query('select count(*)::int as n from stmt_mode')).rows[0].n, 0);
  });

  it('refuses a transaction block in a Parse, and the connection goes on', async () => {
    await assert.rejects(client.query({ text: 'start transaction read only', queryMode: 'extended' } as { text: string }), refused);
    await assert.rejects(client.query({ text: 'BEGIN', values: [] , queryMode: 'extended' } as { text: string }), refused);
    assert.equal((await client.query('select $1::int as n', [7])).rows[0].n, 7);
  });

  it('runs statements that only look like a transaction block, each outside any transaction', async () => {
    await client.query('DO $$ BEGIN PERFORM 1; END $$');
    assert.equal((await client.query("select 'begin; start transaction' as t")).rows[0].t, 'begin; start transaction');
    assert.equal((await client.query('select 1 as begin')).rows[0].begin, 1);
    await client.query('insert into stmt_mode values (10); insert into stmt_mode values (11)');
    const r = await client.query("select count(*)::int as n, now() = statement_timestamp() as fresh from stmt_mode");
    assert.equal(r.rows[0].n, 2);
    assert.equal(r.rows[0].fresh, true);
    // The pool's servers were never left inside a transaction.
    for (const p of dog.server.stats().pools) assert.equal(p.stats.resetting, 0);
  });
});
