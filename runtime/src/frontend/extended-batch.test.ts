import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bind, close, describeP, describeS, execute, FLUSH, parse, SYNC } from './testing/client-frames.js';
import type { CrossShardPlan } from '@pgdog/compiler';
import { BatchState, planBatch, UnitKind, type BatchRouting, type ExecuteRoute } from './extended-batch.js';


/** The frames of one shard, as (code, first cstring) pairs: what the shard is asked to do. */
function codes(frames: Buffer): string[] {
  const out: string[] = [];
  for (let p = 0; p < frames.length; p += 1 + frames.readInt32BE(p + 1)) {
    const code = String.fromCharCode(frames[p]!);
    const body = frames.subarray(p + 5, p + 1 + frames.readInt32BE(p + 1));
    if (code === 'P') {
      const name = body.toString('utf8', 0, body.indexOf(0));
      const text = body.toString('utf8', body.indexOf(0) + 1, body.indexOf(0, body.indexOf(0) + 1));
      out.push(`P[${name}]${text}`);
    } else if (code === 'B') {
      const portalEnd = body.indexOf(0);
      out.push(`B[${body.toString('utf8', 0, portalEnd)}|${body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1))}]`);
    } else out.push(code);
  }
  return out;
}

const ALL: readonly number[] = [0, 1];
const PLAN = { shardSql: 'SELECT a, b FROM t ORDER BY b', limit: null, offset: null } as unknown as CrossShardPlan;

/** Keyed statements (`WHERE k = $1`) go to shard (value mod 2); `FROM t` without a key to both. */
function routing(overrides: Partial<BatchRouting> = {}): BatchRouting {
  return {
    route(sql, b): ExecuteRoute {
      if (sql.startsWith('COMMIT')) return { ok: true, shards: [0], primary: true, plan: null, texts: null, replicated: false, endsTransaction: true };
      if (sql.includes('WINDOW')) return { ok: false, sqlstate: '0A000', message: 'no windows' };
      if (sql.includes('k = $1')) {
        const v = Number(b.parameters[0]!.toString());
        return { ok: true, shards: [v % 2], primary: false, plan: null, texts: null, replicated: false, endsTransaction: false };
      }
      const merged = sql.startsWith('SELECT');
      return { ok: true, shards: ALL, primary: !merged, plan: merged ? PLAN : null, texts: null, replicated: false, endsTransaction: false };
    },
    enlisted: [],
    failed: false,
    anyShard: 0,
    ...overrides,
  };
}

describe('planBatch', () => {
  it('a keyed lookup goes to its shard only, as an unnamed statement', () => {
    const state = new BatchState();
    const plan = planBatch([parse('s1', 'SELECT a FROM t WHERE k = $1'), bind('s1', ['3']), describeP(), execute(), SYNC], state, routing());
    assert.deepEqual(plan.shards, [1]);
    assert.deepEqual(codes(plan.frames[0]!), ['P[]SELECT a FROM t WHERE k = $1', 'B[|]', 'D', 'E', 'S']);
    assert.deepEqual(plan.units.map((u) => [u.kind, u.client]), [[UnitKind.Parse, true], [UnitKind.Bind, true], [UnitKind.DescribePortal, true], [UnitKind.Execute, true]]);
    assert.equal(plan.primary, false);
    assert.equal(plan.refusal, null);
  });

  it('a later batch that only binds a named statement gets its Parse again, on whichever shard its values pick', () => {
    const state = new BatchState();
    planBatch([parse('s1', 'SELECT a FROM t WHERE k = $1'), SYNC], state, routing());
    const plan = planBatch([bind('s1', ['4']), execute(), SYNC], state, routing());
    assert.deepEqual(plan.shards, [0]);
    assert.deepEqual(codes(plan.frames[0]!), ['P[]SELECT a FROM t WHERE k = $1', 'B[|]', 'E', 'S']);
    assert.deepEqual(plan.units.map((u) => u.client), [false, true, true]);
  });

  it('a merged SELECT: every shard runs the shard text, a Describe is added for the merge, the client Describe keeps its place', () => {
    const state = new BatchState();
    const plan = planBatch([parse('', 'SELECT a FROM t ORDER BY b'), bind(''), describeP(), execute(), SYNC], state, routing());
    assert.deepEqual(plan.shards, [0, 1]);
    for (const f of plan.frames) assert.deepEqual(codes(f), ['P[]SELECT a, b FROM t ORDER BY b', 'B[|]', 'D', 'D', 'E', 'S']);
    const kinds = plan.units.map((u) => [u.kind, u.client, u.plan !== null]);
    assert.deepEqual(kinds, [[UnitKind.Parse, true, false], [UnitKind.Bind, true, false], [UnitKind.DescribePortal, true, true], [UnitKind.DescribePortal, false, true], [UnitKind.Execute, true, true]]);
  });

  it('two statements interleaved: the unnamed slot is re-parsed when a Bind needs the other one', () => {
    const state = new BatchState();
    const frames = [parse('a', 'SELECT 1 FROM t WHERE k = $1'), parse('b', 'SELECT 2 FROM t WHERE k = $1'), bind('a', ['2']), execute(), bind('b', ['4']), execute(), SYNC];
    const plan = planBatch(frames, state, routing());
    assert.deepEqual(plan.shards, [0]);
    assert.deepEqual(codes(plan.frames[0]!), ['P[]SELECT 1 FROM t WHERE k = $1', 'P[]SELECT 2 FROM t WHERE k = $1', 'P[]SELECT 1 FROM t WHERE k = $1', 'B[|]', 'E', 'P[]SELECT 2 FROM t WHERE k = $1', 'B[|]', 'E', 'S']);
  });

  it('Executes on different shards: each shard gets the shared frames and only its own Executes', () => {
    const state = new BatchState();
    const frames = [parse('a', 'SELECT 1 FROM t WHERE k = $1'), bind('a', ['1'], 'p1'), bind('a', ['2'], 'p2'), execute('p1'), execute('p2'), SYNC];
    const plan = planBatch(frames, state, routing());
    assert.deepEqual(plan.shards, [0, 1]);
    assert.deepEqual(codes(plan.frames[0]!), ['P[]SELECT 1 FROM t WHERE k = $1', 'B[p1|]', 'B[p2|]', 'E', 'S']);
    assert.deepEqual(codes(plan.frames[1]!), ['P[]SELECT 1 FROM t WHERE k = $1', 'B[p1|]', 'B[p2|]', 'E', 'S']);
    assert.deepEqual(plan.units.filter((u) => u.kind === UnitKind.Execute).map((u) => u.shards), [[1], [0]]);
  });

  it('Close of a statement is answered by pgdog and forgets it; Describe of a statement re-parses it', () => {
    const state = new BatchState();
    planBatch([parse('s', 'SELECT 1 FROM t WHERE k = $1'), SYNC], state, routing());
    const d = planBatch([describeS('s'), FLUSH], state, routing());
    assert.equal(d.flushOnly, true);
    assert.deepEqual(codes(d.frames[0]!), ['P[]SELECT 1 FROM t WHERE k = $1', 'D', 'S']);
    const c = planBatch([close('S', 's'), SYNC], state, routing());
    assert.deepEqual(c.units.map((u) => u.kind), [UnitKind.CloseLocal]);
    assert.equal(state.statements.has('s'), false);
    const after = planBatch([bind('s', ['1']), execute(), SYNC], state, routing());
    assert.deepEqual(after.refusal, { sqlstate: '26000', message: 'prepared statement "s" does not exist' });
  });

  it('refusals stop the batch where they happen: route refusals, row limits across shards, Flush after Execute', () => {
    const state = new BatchState();
    const w = planBatch([parse('', 'SELECT 1 FROM t WINDOW w AS ()'), bind(''), execute(), SYNC], state, routing());
    assert.equal(w.refusal?.sqlstate, '0A000');
    assert.deepEqual(codes(w.frames[0]!), ['P[]SELECT 1 FROM t WINDOW w AS ()', 'B[|]', 'S']);
    const limited = planBatch([parse('', 'SELECT a FROM t'), bind(''), execute('', 10), SYNC], state, routing());
    assert.match(limited.refusal?.message ?? '', /row limit/);
    const flushed = planBatch([parse('', 'UPDATE t SET a = 1'), bind(''), execute(), FLUSH], state, routing());
    assert.match(flushed.refusal?.message ?? '', /Flush after Execute/);
  });

  it('COMMIT goes to every enlisted shard, and runs as ROLLBACK when the transaction failed', () => {
    const state = new BatchState();
    const ok = planBatch([parse('', 'COMMIT'), bind(''), execute(), SYNC], state, routing({ enlisted: [0, 1] }));
    assert.deepEqual(ok.shards, [0, 1]);
    assert.equal(ok.endsTransactionOnly, true);
    assert.deepEqual(codes(ok.frames[1]!), ['P[]COMMIT', 'B[|]', 'E', 'S']);
    const failed = planBatch([parse('', 'COMMIT'), bind(''), execute(), SYNC], state, routing({ enlisted: [0, 1], failed: true }));
    for (const f of failed.frames) assert.deepEqual(codes(f), ['P[]ROLLBACK', 'B[|]', 'E', 'S']);
  });
});

describe('planBatch: a multi-row INSERT split with Bind parameters', () => {
  it('each shard gets its rows, with its parameters renumbered in Parse types and Bind values', () => {
    const split: BatchRouting = {
      ...routing(),
      route: (): ExecuteRoute => ({
        ok: true, shards: [0, 1], primary: true, plan: null, replicated: false, endsTransaction: false,
        texts: ['INSERT INTO t VALUES ($1, $2)', 'INSERT INTO t VALUES ($1, $2), ($3, $4)'],
        paramOrders: [[3, 4], [1, 2, 5, 6]],
      }),
    };
    const state = new BatchState();
    const sql = 'INSERT INTO t VALUES ($1, $2), ($3, $4), ($5, $6)';
    const plan = planBatch([parse('', sql, [20, 25, 20, 25, 20, 25]), bind('', ['1', 'a', '2', 'b', '3', 'c']), execute(), SYNC], state, split);
    assert.deepEqual(plan.shards, [0, 1]);
    assert.deepEqual(codes(plan.frames[0]!), ['P[]INSERT INTO t VALUES ($1, $2)', 'B[|]', 'E', 'S']);
    assert.deepEqual(codes(plan.frames[1]!), ['P[]INSERT INTO t VALUES ($1, $2), ($3, $4)', 'B[|]', 'E', 'S']);
    // Shard 0's Bind carries values 3 and 4 only ("2", "b"), shard 1's values 1, 2, 5, 6.
    const values = (frames: Buffer): string[] => {
      const b = frames.subarray(frames.indexOf(Buffer.from([0x42])));
      const out: string[] = [];
      let p = 5 + 2; // portal '' and statement '' cstrings
      const nf = b.readInt16BE(p); p += 2 + 2 * nf;
      const n = b.readInt16BE(p); p += 2;
      for (let i = 0; i < n; i++) { const len = b.readInt32BE(p); p += 4; out.push(b.toString('utf8', p, p + len)); p += len; }
      return out;
    };
    assert.deepEqual(values(plan.frames[0]!), ['2', 'b']);
    assert.deepEqual(values(plan.frames[1]!), ['1', 'a', '3', 'c']);
    const types = (frames: Buffer): number[] => {
      const body = frames.subarray(5, 1 + frames.readInt32BE(1));
      let p = body.indexOf(0) + 1;
      p = body.indexOf(0, p) + 1;
      const n = body.readInt16BE(p);
      return Array.from({ length: n }, (_, i) => body.readInt32BE(p + 2 + 4 * i));
    };
    assert.deepEqual(types(plan.frames[0]!), [20, 25]);
    assert.deepEqual(types(plan.frames[1]!), [20, 25, 20, 25]);
  });
});
