import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze, compileMapping, initialSessionState, loadSqlParser, route, toRouteSession, ROUTING_TABLE_VERSION,
  type CopyInfo, type DatabaseRoutes, type RoutingTable, type ShardedTableRoute,
} from '@pgdog/compiler';
import { copyInPlan, keyShard, needsTableColumns } from './copy-plan.js';

const byId: ShardedTableRoute = { schema: null, name: 'events', column: 'user_id', dataType: 'bigint', hasher: 'postgres', mapping: null };
const byColumn: ShardedTableRoute = { schema: null, name: null, column: 'tenant', dataType: 'varchar', hasher: 'postgres', mapping: null };
const db: DatabaseRoutes = {
  name: 'app',
  shards: [0, 1, 2].map((shard) => ({ shard, hosts: [{ role: 'primary' as const, host: '127.0.0.1', port: 1, databaseName: `app_${shard}` }] })),
  shardedTables: [byId, byColumn],
  omnishardedTables: [{ schema: null, name: 'countries', sticky: false }],
};
const table: RoutingTable = {
  version: ROUTING_TABLE_VERSION,
  sources: { config: { file: 'pgdog.toml', sha256: '0' }, users: { file: 'users.toml', sha256: '0' } },
  general: { readWriteSplit: 'include_primary', readWriteStrategy: 'conservative', crossShardDisabled: false, omnishardedSticky: false, queryCacheLimit: 100 },
  databases: [db],
  users: [],
  rules: [],
  plugins: [],
};

function copyInfo(sql: string): CopyInfo {
  const a = analyze(sql);
  assert.ok(a.ok);
  return a.statements[0]!.copy!;
}

/** The shard route() picks for `WHERE column = literal`. */
function routedShard(sql: string): number {
  const r = route(table, { database: 'app', user: 'u', query: sql, analysis: analyze(sql), session: toRouteSession(initialSessionState()) });
  assert.ok(r.shards !== 'all' && r.shards.length === 1, sql);
  return r.shards[0]!;
}

before(() => loadSqlParser());

describe('copyInPlan', () => {
  it('splits by the named table entry, at the column list position', () => {
    const p = copyInPlan(db, copyInfo('COPY events (seq, user_id) FROM STDIN'), ['seq', 'user_id']);
    assert.equal(p.kind, 'split');
    if (p.kind === 'split') assert.deepEqual([p.options.keyColumn, p.options.columnCount, p.options.shards], [1, 2, 3]);
  });

  it('a column-only entry applies when the columns hold that column', () => {
    const info = copyInfo('COPY orders FROM STDIN WITH (FORMAT csv, HEADER)');
    assert.equal(needsTableColumns(db, info), true);
    const p = copyInPlan(db, info, ['id', 'tenant', 'total']);
    assert.equal(p.kind, 'split');
    if (p.kind === 'split') assert.deepEqual([p.options.keyColumn, p.options.format, p.options.header], [1, 'csv', true]);
  });

  it('broadcasts an omnisharded table and refuses what cannot be split', () => {
    assert.equal(needsTableColumns(db, copyInfo('COPY countries FROM STDIN')), false);
    assert.equal(copyInPlan(db, copyInfo('COPY countries FROM STDIN'), null).kind, 'broadcast');
    const missingKey = copyInPlan(db, copyInfo('COPY events (seq) FROM STDIN'), ['seq']);
    assert.equal(missingKey.kind, 'refuse');
    if (missingKey.kind === 'refuse') assert.match(missingKey.message, /without its sharding column user_id/);
    assert.equal(copyInPlan(db, copyInfo('COPY plain FROM STDIN'), ['a', 'b']).kind, 'refuse');
    assert.equal(copyInPlan(db, copyInfo('COPY plain FROM STDIN'), null).kind, 'refuse');
  });
});

describe('keyShard', () => {
  it('puts bigint keys (text and binary) where route() puts them', () => {
    const shardOf = keyShard(byId, 3, 'events.user_id');
    for (const k of [0n, 1n, -1n, 42n, 9007199254740993n, -9223372036854775808n, 9223372036854775807n]) {
      const expected = routedShard(`SELECT 1 FROM events WHERE user_id = ${k}`);
      assert.equal(shardOf(Buffer.from(String(k)), 0), expected, `text ${k}`);
      const bin = Buffer.alloc(8);
      bin.writeBigInt64BE(k);
      assert.equal(shardOf(bin, 1), expected, `binary ${k}`);
    }
  });

  it('puts varchar keys where route() puts them; NULL goes to shard 0 (remainder 0)', () => {
    const shardOf = keyShard(byColumn, 3, 'tenant');
    for (const k of ['acme', 'naïve', '', '日本']) {
      assert.equal(shardOf(Buffer.from(k), 0), routedShard(`SELECT 1 FROM anything WHERE tenant = '${k}'`), k);
    }
    assert.equal(shardOf(null, 0), 0);
  });

  it('says why a value cannot be placed', () => {
    assert.match(String(keyShard(byId, 3, 'events.user_id')(Buffer.from('12x'), 0)), /cannot be used as a bigint key/);
    const mapped: ShardedTableRoute = { ...byId, mapping: compileMapping([{ values: [1, 2], shard: 1 }], 'bigint') };
    const shardOf = keyShard(mapped, 3, 'events.user_id');
    assert.equal(shardOf(Buffer.from('2'), 0), 1);
    assert.match(String(shardOf(Buffer.from('3'), 0)), /matches no mapping rule/);
    assert.match(String(shardOf(null, 0)), /NULL/);
  });
});
