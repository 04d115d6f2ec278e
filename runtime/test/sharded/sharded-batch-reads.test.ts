// Issue 7: an extended-protocol batch on a sharded database is routed the same however its frames
// arrive. pgdog takes a one-shard batch straight from the read that holds all of it, up to its
// Sync (ShardedPath.lookahead), and collects a batch spread over several reads; pipelined
// batches, batches that Close or Flush, and portals executed in a later batch must all give the
// answer one database would. Every key's row exists on its own shard only, so a batch sent to
// the wrong shard returns no row and the check fails.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { firstError, message, RawClient, type Frame } from './support/raw-client.js';
import { createHashOracle, shardOfKey } from './support/placement.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';

let pgdog: ShardedPgdog | null = null;
let shards: ShardSpec[] = [];
const KEYS = 40;
const keysOn: number[][] = [[], []];

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

const parse = (name: string, sql: string): Buffer => message('P', Buffer.concat([cstr(name), cstr(sql), int16(0)]));
const bind = (portal: string, statement: string, params: readonly string[]): Buffer =>
  message('B', Buffer.concat([cstr(portal), cstr(statement), int16(0), int16(params.length), ...params.map((p) => Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p)])), int16(0)]));
const describePortal = (portal: string): Buffer => message('D', Buffer.concat([Buffer.from('P'), cstr(portal)]));
const execute = (portal: string): Buffer => message('E', Buffer.concat([cstr(portal), int32(0)]));
const closeStatement = (name: string): Buffer => message('C', Buffer.concat([Buffer.from('S'), cstr(name)]));
const SYNC = message('S', Buffer.alloc(0));
const FLUSH = message('H', Buffer.alloc(0));

const POINT = 'SELECT balance FROM accounts WHERE user_id = $1';
/** Parse / Bind / Describe / Execute / Sync of the point lookup for `key`. */
const pointBatch = (key: number): Buffer => Buffer.concat([parse('', POINT), bind('', '', [String(key)]), describePortal(''), execute(''), SYNC]);

/** The DataRow values of one batch's answer (text). */
function balances(frames: readonly Frame[]): string[] {
  const err = firstError(frames);
  assert.equal(err, null, err?.M);
  return frames.filter((f) => f.code === 'D').map((f) => f.body.toString('utf8', 6, 6 + f.body.readInt32BE(2)));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const [server] = (await startServers(1, SHARD_SERVER_OPTIONS)) as [PgServer];
  await createShardDatabases(server, ['x_0', 'x_1']);
  shards = [{ server, database: 'x_0' }, { server, database: 'x_1' }];
  await createHashOracle(shards);
  pgdog = await startShardedPgdog({ databases: [{ name: 'x', shards, shardingColumn: 'user_id' }], users: [{ name: APP_USER, database: 'x' }] });
  const c = await RawClient.connect(pgdog.port, APP_USER, 'x');
  assert.equal(firstError(await c.simple('CREATE TABLE accounts (user_id bigint PRIMARY KEY, balance bigint NOT NULL)')), null);
  const rows: string[] = [];
  for (let k = 1; k <= KEYS; k++) {
    rows.push(`(${k}, ${k * 10})`);
    keysOn[await shardOfKey(shards, k)]!.push(k);
  }
  assert.equal(firstError(await c.simple(`INSERT INTO accounts VALUES ${rows.join(', ')}`)), null);
  c.close();
  assert.ok(keysOn[0]!.length > 2 && keysOn[1]!.length > 2, 'keys on both shards');
});

after(async () => {
  await pgdog?.stop();
  await stopAll();
});

describe('extended-protocol batches however they arrive', () => {
  it('a batch in one write, then cut at each frame boundary and at every byte: each reaches its key\'s shard', async () => {
    const c = await RawClient.connect(pgdog!.port, APP_USER, 'x');
    try {
      for (let k = 1; k <= KEYS; k++) {
        await c.write(pointBatch(k));
        assert.deepEqual(balances(await c.untilReady()), [String(k * 10)], `key ${k} in one write`);
      }
      for (const k of [keysOn[0]![0]!, keysOn[1]![0]!]) {
        const whole = pointBatch(k);
        // Frame boundaries: Sync (and more) arrives in a later read than the batch's first frame.
        const ends: number[] = [];
        for (let at = 0; at < whole.length; at += 1 + whole.readInt32BE(at + 1)) if (at > 0) ends.push(at);
        for (const cut of ends) {
          await c.write(whole.subarray(0, cut));
          await sleep(5);
          await c.write(whole.subarray(cut));
          assert.deepEqual(balances(await c.untilReady()), [String(k * 10)], `key ${k} cut at ${cut}`);
        }
        for (let i = 0; i < whole.length; i++) {
          await c.write(whole.subarray(i, i + 1));
          await sleep(1);
        }
        assert.deepEqual(balances(await c.untilReady()), [String(k * 10)], `key ${k} byte by byte`);
      }
    } finally {
      c.close();
    }
  });

  it('40 batches pipelined in one write, alternating shards: 40 answers, in order, each right', async () => {
    const c = await RawClient.connect(pgdog!.port, APP_USER, 'x');
    try {
      const keys = Array.from({ length: KEYS }, (_, i) => keysOn[i % 2]![Math.floor(i / 2) % keysOn[i % 2]!.length]!);
      await c.write(Buffer.concat(keys.map(pointBatch)));
      for (const k of keys) assert.deepEqual(balances(await c.untilReady()), [String(k * 10)], `key ${k}`);
      // And the connection goes on with batches one at a time.
      await c.write(pointBatch(keys[1]!));
      assert.deepEqual(balances(await c.untilReady()), [String(keys[1]! * 10)]);
    } finally {
      c.close();
    }
  });

  it('a portal suspended after one row (Execute with a row limit) and resumed in a later batch of the same transaction reads the values it was bound with', async () => {
    const c = await RawClient.connect(pgdog!.port, APP_USER, 'x');
    const rows = 'SELECT balance + g FROM accounts, generate_series(0, 2) AS g WHERE user_id = $1 ORDER BY g';
    try {
      // Past the reads a client gets fresh memory for (session.ts): from here its read buffer is reused.
      for (let i = 0; i < 40; i++) assert.equal(firstError(await c.simple('SELECT 1')), null);
      const twoDigits = (s: number): number[] => keysOn[s]!.filter((k) => k >= 10);
      for (const [k, other] of [[twoDigits(0)[0]!, twoDigits(1)[0]!], [twoDigits(1)[1]!, twoDigits(0)[1]!]] as const) {
        assert.equal(firstError(await c.simple('BEGIN')), null);
        const parseFrame = parse('s1', rows);
        await c.write(Buffer.concat([parseFrame, bind('p1', 's1', [String(k)]), message('E', Buffer.concat([cstr('p1'), int32(1)])), SYNC]));
        const first = await c.untilReady();
        assert.deepEqual(balances(first), [String(k * 10)], `first row for key ${k}`);
        assert.ok(first.some((f) => f.code === 's'), 'PortalSuspended');
        // Other statements go through the same read buffer in between: this one puts a key of the
        // other shard where the Bind's value was, so a portal still reading that memory would be
        // routed there (and fail: the portal is not on that shard).
        const at = parseFrame.length + 5 + 3 + 3 + 2 + 2 + 4 - 5;
        const overwrite = `SELECT '${'x'.repeat(at - 8)}${other}' AS filler`;
        assert.deepEqual(balances(await c.simple(overwrite)), [`${'x'.repeat(at - 8)}${other}`]);
        await c.write(Buffer.concat([parse('', POINT), bind('', '', [String(k)]), execute(''), SYNC]));
        assert.deepEqual(balances(await c.untilReady()), [String(k * 10)]);
        await c.write(Buffer.concat([execute('p1'), SYNC]));
        assert.deepEqual(balances(await c.untilReady()), [String(k * 10 + 1), String(k * 10 + 2)], `the rest of key ${k}'s rows`);
        assert.equal(firstError(await c.simple('COMMIT')), null);
        await c.write(Buffer.concat([closeStatement('s1'), SYNC]));
        assert.equal(firstError(await c.untilReady()), null);
      }
    } finally {
      c.close();
    }
  });

  it('a portal bound in a batch of its own and executed in the next runs on its key\'s shard', async () => {
    const c = await RawClient.connect(pgdog!.port, APP_USER, 'x');
    try {
      for (const k of [keysOn[0]![3]!, keysOn[1]![3]!]) {
        assert.equal(firstError(await c.simple('BEGIN')), null);
        await c.write(Buffer.concat([parse('s3', POINT), bind('p3', 's3', [String(k)]), SYNC]));
        assert.equal(firstError(await c.untilReady()), null);
        await c.write(Buffer.concat([execute('p3'), SYNC]));
        assert.deepEqual(balances(await c.untilReady()), [String(k * 10)], `portal bound to key ${k}`);
        assert.equal(firstError(await c.simple('COMMIT')), null);
        await c.write(Buffer.concat([closeStatement('s3'), SYNC]));
        assert.equal(firstError(await c.untilReady()), null);
      }
    } finally {
      c.close();
    }
  });

  it('batches with Describe-then-Flush, a named statement bound later, and Close: the planned way, same answers', async () => {
    const c = await RawClient.connect(pgdog!.port, APP_USER, 'x');
    try {
      await c.write(Buffer.concat([parse('s2', POINT), message('D', Buffer.concat([Buffer.from('S'), cstr('s2')])), FLUSH]));
      // Flush: ParseComplete, ParameterDescription and RowDescription come back without a Sync.
      await sleep(50);
      for (const k of [keysOn[0]![2]!, keysOn[1]![2]!, keysOn[0]![0]!]) {
        await c.write(Buffer.concat([bind('', 's2', [String(k)]), execute(''), SYNC]));
        const frames = await c.untilReady();
        assert.deepEqual(balances(frames), [String(k * 10)], `named statement bound to key ${k}`);
      }
      await c.write(Buffer.concat([closeStatement('s2'), parse('s2', 'SELECT balance * 2 FROM accounts WHERE user_id = $1'), bind('', 's2', [String(keysOn[1]![0]!)]), execute(''), SYNC]));
      assert.deepEqual(balances(await c.untilReady()), [String(keysOn[1]![0]! * 20)], 'the name re-parsed after Close');
    } finally {
      c.close();
    }
  });
});
