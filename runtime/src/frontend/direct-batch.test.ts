import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bind, close, describeP, describeS, execute, FLUSH, parse, SYNC } from './testing/client-frames.js';
import type { CrossShardPlan } from '@pgdog/compiler';
import { BatchState, planBatch, UnitKind, type BatchPlan, type BatchRouting, type ExecuteRoute } from './extended-batch.js';
import { directBatch, type DirectBatch } from './direct-batch.js';


const PLAN = { shardSql: 'SELECT a FROM t ORDER BY a', limit: null, offset: null } as unknown as CrossShardPlan;

/** `k = $1`: shard (value mod 2); `FROM r`: an omnisharded read; COMMIT: a transaction end; else merged over both. */
function routing(overrides: Partial<BatchRouting> = {}): BatchRouting {
  return {
    route(sql, b): ExecuteRoute {
      if (sql.startsWith('COMMIT')) return { ok: true, shards: [0], primary: true, plan: null, texts: null, replicated: false, endsTransaction: true };
      if (sql.includes('FROM r')) return { ok: true, shards: [0], primary: false, plan: null, texts: null, replicated: true, endsTransaction: false };
      if (sql.includes('k = $1')) {
        const v = Number(b.parameters[0]!.toString());
        return { ok: true, shards: [v % 2], primary: sql.startsWith('UPDATE'), plan: null, texts: null, replicated: false, endsTransaction: false };
      }
      return { ok: true, shards: [0, 1], primary: false, plan: PLAN, texts: null, replicated: false, endsTransaction: false };
    },
    enlisted: [],
    failed: false,
    anyShard: 0,
    ...overrides,
  };
}

/** What sharded-path.ts runDirect accepts of a plan. */
function runsDirect(plan: BatchPlan): Where | null {
  if (plan.refusal !== null || plan.flushOnly || plan.shards.length !== 1) return null;
  for (const u of plan.units) if (!u.client || u.plan !== null || u.replicated || u.kind === UnitKind.CloseLocal) return null;
  return { shard: plan.shards[0]!, primary: plan.primary };
}

type Where = { shard: number; primary: boolean };
const where = (d: DirectBatch | null): Where | null => (d === null ? null : { shard: d.shard, primary: d.primary });
const NONE_KNOWN = (): boolean => false;

function snapshot(state: BatchState): string {
  const statements = [...state.statements].map(([k, s]) => `${k}=${s.sql}`).sort();
  const portals = [...state.portals].map(([k, p]) => `${k}=${p.statement.sql}|${p.bind.parameters.map((v) => String(v)).join(',')}`).sort();
  return JSON.stringify({ statements, portals });
}

/**
 * Runs the batches one after another twice — once as sharded-path.ts does (fast path, then the
 * planner when it declines), once through the planner alone — and checks that they agree on every
 * batch. Returns the fast path's answers.
 */
function agree(batches: Buffer[][], r: BatchRouting = routing()): (Where | null)[] {
  const fast = new BatchState();
  const slow = new BatchState();
  const answers: (Where | null)[] = [];
  for (const frames of batches) {
    const expected = runsDirect(planBatch(frames, slow, r));
    const got = where(directBatch(frames, fast, r, NONE_KNOWN));
    if (got !== null) assert.deepEqual(got, expected, 'a batch the fast path takes must be one runDirect takes, on the same shard');
    else planBatch(frames, fast, r);
    assert.equal(snapshot(fast), snapshot(slow), 'statements and portals end up the same either way');
    answers.push(got);
  }
  return answers;
}

describe('directBatch', () => {
  it('takes pgbench -M extended batches: unnamed Parse, Bind, Describe, Execute, Sync, on the key\'s shard', () => {
    const q = 'SELECT a FROM t WHERE k = $1';
    assert.deepEqual(agree([[parse('', q), bind('', ['3']), describeP(), execute(), SYNC], [parse('', q), bind('', ['4']), describeP(), execute(), SYNC]]), [
      { shard: 1, primary: false },
      { shard: 0, primary: false },
    ]);
  });

  it('takes a named statement bound right after its Parse, and writes go to a primary', () => {
    assert.deepEqual(agree([[parse('up', 'UPDATE t SET a = 1 WHERE k = $1'), bind('up', ['5'], 'p1'), execute('p1'), SYNC]]), [{ shard: 1, primary: true }]);
  });

  it('takes a Parse and Describe with nothing executed (shard 0, primary), and a row-limited Execute on one shard', () => {
    assert.deepEqual(agree([[parse('s', 'SELECT a FROM t WHERE k = $1'), describeS('s'), SYNC], [bind('s', ['2']), execute('', 10), SYNC]]), [{ shard: 0, primary: true }, null]);
    assert.deepEqual(agree([[parse('', 'SELECT a FROM t WHERE k = $1'), bind('', ['2']), execute('', 10), SYNC]]), [{ shard: 0, primary: false }]);
  });

  it('runs a batch that binds a portal without executing it where that portal\'s Execute would run', () => {
    const q = 'SELECT a FROM t WHERE k = $1';
    // Bound for key 3 (shard 1) in one batch, executed in the next: both on shard 1.
    assert.deepEqual(agree([[parse('s', q), bind('s', ['3'], 'p1'), SYNC], [execute('p1'), SYNC]]), [
      { shard: 1, primary: true },
      { shard: 1, primary: false },
    ]);
    assert.deepEqual(agree([[parse('s', q), bind('s', ['4'], 'p1'), describeP('p1'), SYNC]]), [{ shard: 0, primary: true }]);
    // A portal whose Execute would be merged over shards, or refused: the usual placement.
    assert.deepEqual(agree([[parse('m', 'SELECT a FROM t'), bind('m', [], 'p2'), SYNC]]), [{ shard: 0, primary: true }]);
    assert.deepEqual(agree([[parse('m', 'SELECT a FROM t'), bind('m', [], 'p2'), SYNC]], routing({ enlisted: [1] })), [{ shard: 1, primary: true }]);
  });

  it('takes a transaction end on the shard the transaction is on', () => {
    assert.deepEqual(agree([[parse('', 'COMMIT'), bind(''), execute(), SYNC]], routing({ enlisted: [1] })), [{ shard: 1, primary: true }]);
  });

  it('declines what the planner must do: statements from earlier batches, merges, several shards, omnisharded reads', () => {
    const q = 'SELECT a FROM t WHERE k = $1';
    assert.deepEqual(agree([[parse('s', q), SYNC], [bind('s', ['1']), execute(), SYNC]]).slice(1), [null]);
    assert.deepEqual(agree([[parse('', 'SELECT a FROM t'), bind(''), execute(), SYNC]]), [null]);
    assert.deepEqual(agree([[parse('', q), bind('', ['1']), execute(), bind('', ['2']), execute(), SYNC]]), [null]);
    assert.deepEqual(agree([[parse('', 'SELECT a FROM r WHERE x = 1'), bind(''), execute(), SYNC]]), [null]);
    // Two statements bound in one batch: the second Bind needs the first statement back in the slot.
    assert.deepEqual(agree([[parse('a', q), parse('b', q), bind('a', ['1']), execute(), SYNC]]), [null]);
    assert.deepEqual(agree([[parse('a', q), parse('b', q), describeS('a'), SYNC]]), [null]);
  });

  it('declines refusals, Flush, Close and a failed transaction, leaving the same state as the planner', () => {
    const q = 'SELECT a FROM t WHERE k = $1';
    assert.deepEqual(agree([[bind('nope', ['1']), execute(), SYNC]]), [null]);
    assert.deepEqual(agree([[execute('nope'), SYNC]]), [null]);
    assert.deepEqual(agree([[parse('', q), bind('', ['1']), describeP(), FLUSH]]), [null]);
    assert.deepEqual(agree([[parse('s', q), bind('s', ['1'], 'p'), execute('p'), close('P', 'p'), close('S', 's'), SYNC]]), [null]);
    assert.deepEqual(agree([[parse('', 'COMMIT'), bind(''), execute(), SYNC]], routing({ enlisted: [1], failed: true })), [null]);
  });

  it('binds a named statement an earlier batch parsed on the single-server path, and lists what it parses', () => {
    const state = new BatchState();
    const q = 'SELECT a FROM t WHERE k = $1';
    const first = directBatch([parse('s', q), parse('', q), bind('s', ['1']), execute(), SYNC], state, routing(), NONE_KNOWN);
    assert.equal(first, null, 'the second Parse took the slot');
    const parsed = directBatch([parse('s', q), bind('s', ['1']), execute(), SYNC], state, routing(), NONE_KNOWN);
    assert.deepEqual(parsed?.parsed.map(([n, s]) => [n, s.sql]), [['s', q]]);
    const s = parsed!.parsed[0]![1];
    const known = (name: string, st: unknown): boolean => name === 's' && st === s;
    assert.deepEqual(where(directBatch([bind('s', ['2']), execute(), SYNC], state, routing(), known)), { shard: 0, primary: false });
    assert.deepEqual(where(directBatch([describeS('s'), bind('s', ['3']), describeP(), execute(), SYNC], state, routing(), known)), { shard: 1, primary: false });
    assert.equal(directBatch([bind('s', ['2']), execute(), SYNC], state, routing(), NONE_KNOWN), null, 'unknown there: the planner re-parses it');
    // Parsed again (say, in a batch that ran on several shards): another statement, no longer known as it was.
    planBatch([parse('s', q), SYNC], state, routing());
    assert.equal(directBatch([bind('s', ['2']), execute(), SYNC], state, routing(), known), null);
  });

  it('takes a repeated unnamed Parse as the statement it made before, and hears it again only when it can move the session', () => {
    const state = new BatchState();
    const heard: string[] = [];
    const note = (sql: string): boolean => {
      heard.push(sql);
      return /^(SET|BEGIN)/.test(sql);
    };
    const q = 'SELECT a FROM t WHERE k = $1';
    const run = (frames: Buffer[]): Where | null => where(directBatch(frames, state, routing(), NONE_KNOWN, note));
    assert.deepEqual(run([parse('', q), bind('', ['3']), execute(), SYNC]), { shard: 1, primary: false });
    const first = state.statements.get('');
    assert.deepEqual(run([parse('', q), bind('', ['4']), execute(), SYNC]), { shard: 0, primary: false });
    assert.equal(state.statements.get(''), first, 'the same bytes: the same statement');
    assert.deepEqual(heard, [q], 'a plain SELECT is heard once');
    // Other parameter types are another statement.
    run([parse('', q, [20]), bind('', ['5']), execute(), SYNC]);
    assert.notEqual(state.statements.get(''), first);
    assert.deepEqual(state.statements.get('')?.types, [20]);
    // A SET moves the session each time it is sent.
    heard.length = 0;
    for (let i = 0; i < 2; i++) run([parse('', 'SET search_path TO a'), bind('', []), execute(), SYNC]);
    assert.deepEqual(heard, ['SET search_path TO a', 'SET search_path TO a']);
  });
});
