import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser, PlanCache, ROUTING_TABLE_VERSION, type RoutingTable } from '@pgdog/compiler';
import { target } from '../balance/target.js';
import { QueryRouter } from './query-router.js';
import { BindFrame, readBind } from '../protocol/frontend/bind.js';

function table(strategy: 'conservative' | 'aggressive'): RoutingTable {
  return {
    version: ROUTING_TABLE_VERSION,
    sources: { config: { file: 'pgdog.toml', sha256: '0' }, users: { file: 'users.toml', sha256: '0' } },
    general: { readWriteSplit: 'include_primary', readWriteStrategy: strategy, crossShardDisabled: false, omnishardedSticky: false, queryCacheLimit: 100 },
    databases: [
      {
        name: 'app',
        shards: [{ shard: 0, hosts: [{ role: 'primary', host: '127.0.0.1', port: 1, databaseName: 'app' }, { role: 'replica', host: '127.0.0.1', port: 2, databaseName: 'app' }] }],
        shardedTables: [],
        omnishardedTables: [],
      },
    ],
    users: [],
    rules: [],
    plugins: [],
  };
}

function router(strategy: 'conservative' | 'aggressive' = 'conservative'): QueryRouter {
  return new QueryRouter({ table: table(strategy), cache: new PlanCache({ limit: 100 }), aggressive: strategy === 'aggressive' }, 'app', 'u', undefined);
}

function shardedRouter(): QueryRouter {
  const t = table('conservative');
  const db = t.databases[0];
  const sharded: RoutingTable = {
    ...t,
    databases: [{
      ...db,
      shards: [0, 1, 2].map((shard) => ({ shard, hosts: [{ role: 'primary' as const, host: '127.0.0.1', port: 1, databaseName: `app_${shard}` }] })),
      shardedTables: [{ schema: null, name: 't', column: 'id', dataType: 'bigint', hasher: 'postgres', mapping: null }],
    }],
  };
  return new QueryRouter({ table: sharded, cache: new PlanCache({ limit: 100 }), aggressive: false }, 'app', 'u', undefined);
}

/** A Bind frame for statement `name`; values text (string), bytes, or NULL. */
function bindFrame(name: string, values: readonly (string | Buffer | null)[], formats: readonly number[] = []): [Buffer, number, number] {
  const parts: Buffer[] = [Buffer.from('\0'), Buffer.from(`${name}\0`)];
  const int16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
  const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
  parts.push(int16(formats.length), ...formats.map(int16), int16(values.length));
  for (const v of values) {
    if (v === null) parts.push(int32(-1));
    else { const b = typeof v === 'string' ? Buffer.from(v) : v; parts.push(int32(b.length), b); }
  }
  parts.push(int16(0));
  const body = Buffer.concat(parts);
  const frame = Buffer.concat([Buffer.from('B'), int32(body.length + 4), body]);
  return [frame, 0, frame.length];
}

const idle = { inTransaction: false, beginHeld: false };
const inTx = { inTransaction: true, beginHeld: false };
const PRIMARY = { kind: 'run', target: target(0, 'primary'), multi: null };
const REPLICA = { kind: 'run', target: target(0, 'replica'), multi: null };

describe('QueryRouter', () => {
  before(() => loadSqlParser());

  it('reads go to a replica; writes, FOR UPDATE and nextval to the primary', () => {
    const r = router();
    assert.deepEqual(r.query('SELECT * FROM t WHERE id = 1', idle), REPLICA);
    assert.deepEqual(r.query('INSERT INTO t VALUES (1)', idle), PRIMARY);
    assert.deepEqual(r.query('SELECT * FROM t WHERE id = 1 FOR UPDATE', idle), PRIMARY);
    assert.deepEqual(r.query("SELECT nextval('s')", idle), PRIMARY);
    assert.deepEqual(r.query('not sql at all', idle), PRIMARY);
  });

  it('conservative: BEGIN and reads inside a read-write transaction on the primary, BEGIN READ ONLY on a replica', () => {
    const r = router();
    assert.deepEqual(r.query('BEGIN', idle), PRIMARY);
    assert.deepEqual(r.query('SELECT 1', inTx), PRIMARY);
    assert.deepEqual(r.query('COMMIT', inTx), PRIMARY);
    assert.deepEqual(r.query('BEGIN READ ONLY', idle), REPLICA);
    assert.deepEqual(r.query('START TRANSACTION READ ONLY', idle), REPLICA);
  });

  it('hints: SET pgdog.role and comments win over the default', () => {
    const r = router();
    assert.deepEqual(r.query('/* pgdog_role: primary */ SELECT 1', idle), PRIMARY);
    r.query("SET pgdog.role TO 'primary'", idle);
    assert.deepEqual(r.query('SELECT 1', idle), PRIMARY);
    r.query('RESET pgdog.role', idle);
    assert.deepEqual(r.query('SELECT 1', idle), REPLICA);
  });

  it('extended protocol: a Bind follows the route of its statement name', () => {
    const r = router();
    assert.deepEqual(r.parse('w', 'UPDATE t SET a = $1', idle), PRIMARY);
    assert.deepEqual(r.parse('r', 'SELECT a FROM t WHERE id = $1', idle), REPLICA);
    assert.equal(r.bind(...bindFrame('w', [])), target(0, 'primary'));
    assert.equal(r.bind(...bindFrame('r', ['1'])), target(0, 'replica'));
    assert.equal(r.bind(...bindFrame('unknown', [])), null);
    r.parse('r', 'DELETE FROM t', idle);
    assert.equal(r.bind(...bindFrame('r', [])), target(0, 'primary'));
  });

  it('sharded: a key bound as a parameter is routed at Bind, text and binary alike', () => {
    const r = shardedRouter();
    // Literal keys give the expected shards; two keys that land on different shards.
    const shardOf = (k: number): number => {
      const d = r.query(`SELECT a FROM t WHERE id = ${k}`, idle);
      assert.equal(d.kind, 'run');
      return (d as { target: { shard: number } }).target.shard;
    };
    const keys = [1, 2, 3, 4, 5, 6, 7, 8];
    const a = keys[0];
    const b = keys.find((k) => shardOf(k) !== shardOf(a))!;
    assert.ok(b !== undefined);
    assert.deepEqual(r.parse('s', 'SELECT a FROM t WHERE id = $1', idle), { kind: 'at_bind' });
    for (const k of [a, b]) {
      assert.equal(r.bind(...bindFrame('s', [String(k)]))?.shard, shardOf(k), `text ${k}`);
      const bin = Buffer.alloc(8);
      bin.writeBigInt64BE(BigInt(k));
      assert.equal(r.bind(...bindFrame('s', [bin], [1]))?.shard, shardOf(k), `binary ${k}`);
    }
    // A NULL key names no shard: shard 0, where PostgreSQL finds no row.
    assert.equal(r.bind(...bindFrame('s', [null]))?.shard, 0);
    // A key given as a literal needs no Bind values.
    assert.equal(r.parse('l', `SELECT a FROM t WHERE id = ${b}`, idle).kind, 'run');
    assert.equal(r.bind(...bindFrame('l', []))?.shard, shardOf(b));
  });

  it('sharded: Bind routes kept per key shard agree with routing each Bind afresh, as the session changes', () => {
    const kept = shardedRouter();
    const sql = ['SELECT a FROM t WHERE id = $1', 'UPDATE t SET a = $2 WHERE id = $1', 'SELECT a FROM t WHERE id = $1 AND a > $2'];
    const session = ['SET pgdog.shard TO 2', 'RESET pgdog.shard', 'BEGIN', 'COMMIT', 'SET pgdog.role TO primary', 'RESET pgdog.role'];
    let state = 0;
    for (let i = 0; i < 400; i++) {
      if (i % 37 === 0) {
        // Both routers see the same session statements; the kept answers must follow them.
        const s = session[state++ % session.length]!;
        kept.noteParse(s);
      }
      const fresh = shardedRouter();
      for (let j = 0; j < state; j++) fresh.noteParse(session[j % session.length]!);
      const text = sql[i % sql.length]!;
      const key = (i * 7919) % 1000;
      const bin = Buffer.alloc(8);
      bin.writeBigInt64BE(BigInt(key));
      const [f] = i % 2 === 0 ? bindFrame('', [String(key), '5']) : bindFrame('', [bin, '5'], [1, 0]);
      const bind = new BindFrame(f);
      const tx = { inTransaction: state % session.length === 3, beginHeld: false };
      assert.deepEqual(kept.routeBound(text, bind, tx), fresh.routeBound(text, readBind(f, 0, f.length), tx), `${text} key ${key} after ${state} session statements`);
    }
  });

  it('sharded: simple Query decisions kept per shape and key shard agree with routing each afresh, as the session changes', () => {
    const kept = shardedRouter();
    const shapes = (k: number): string[] => [`SELECT a FROM t WHERE id = ${k}`, `DELETE FROM t WHERE id = ${k}`, `SELECT a FROM t WHERE id = ${k} AND a > 5 /* c */`, `SELECT a FROM t WHERE id IN (${k}, ${k + 1})`];
    const session = ['SET pgdog.shard TO 2', 'RESET pgdog.shard', 'BEGIN', 'COMMIT', 'SET pgdog.role TO primary', 'RESET pgdog.role'];
    const history: string[] = [];
    for (let i = 0; i < 400; i++) {
      if (i % 37 === 0) {
        const s = session[history.length % session.length]!;
        history.push(s);
        kept.query(s, idle);
      }
      const fresh = shardedRouter();
      for (const s of history) fresh.query(s, idle);
      const text = shapes((i * 7919) % 1000)[i % 4]!;
      const tx = { inTransaction: history.length % session.length === 3, beginHeld: false };
      assert.deepEqual(kept.query(text, tx), fresh.query(text, tx), `${text} after ${history.join('; ')}`);
    }
  });

  it('aggressive: a lone BEGIN is held; the first statement decides; COMMIT of nothing is answered here', () => {
    const r = router('aggressive');
    assert.deepEqual(r.query('BEGIN', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('SELECT 1', { inTransaction: false, beginHeld: true }), REPLICA);
    assert.deepEqual(r.query('BEGIN', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('UPDATE t SET a = 1', { inTransaction: false, beginHeld: true }), PRIMARY);
    assert.deepEqual(r.query('begin isolation level serializable', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('COMMIT', { inTransaction: false, beginHeld: true }), { kind: 'end_held', tag: 'COMMIT' });
    assert.deepEqual(r.query('BEGIN', idle), { kind: 'hold_begin' });
    assert.deepEqual(r.query('ABORT', { inTransaction: false, beginHeld: true }), { kind: 'end_held', tag: 'ROLLBACK' });
    // Read only needs no hold: it goes to a replica at once.
    assert.deepEqual(r.query('BEGIN READ ONLY', idle), REPLICA);
    // Inside a transaction already open on a server, BEGIN is not held (PostgreSQL warns).
    assert.notDeepEqual(r.query('BEGIN', inTx), { kind: 'hold_begin' });
  });
});
