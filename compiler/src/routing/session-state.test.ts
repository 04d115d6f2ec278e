import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../sql/analyze.js';
import { loadSqlParser } from '../sql/parser.js';
import type { StatementAnalysis } from '../sql/types.js';
import { advanceSession, effectiveHints, initialSessionState, setHint, stepSession, toRouteSession } from './session-state.js';

before(() => loadSqlParser());

function stmts(sql: string): StatementAnalysis[] {
  const a = analyze(sql);
  assert.ok(a.ok, sql);
  return a.statements;
}

test('BEGIN [READ ONLY] / COMMIT / ROLLBACK track the transaction', () => {
  let s = advanceSession(initialSessionState(), stmts('BEGIN READ ONLY'));
  assert.deepEqual([s.inTransaction, s.transactionReadOnly], [true, true]);
  s = advanceSession(s, stmts('COMMIT'));
  assert.deepEqual([s.inTransaction, s.transactionReadOnly], [false, false]);
  s = advanceSession(s, stmts('START TRANSACTION; SET TRANSACTION READ ONLY'));
  assert.deepEqual([s.inTransaction, s.transactionReadOnly], [true, true]);
  s = advanceSession(s, stmts('COMMIT AND CHAIN'));
  assert.equal(s.inTransaction, true);
  s = advanceSession(s, stmts('ROLLBACK'));
  assert.equal(s.inTransaction, false);
});

test('session and LOCAL hints; LOCAL ones win and end with the transaction', () => {
  let s = advanceSession(initialSessionState(), stmts("SET pgdog.shard TO 1; SET pgdog.role = 'replica'"));
  assert.deepEqual(effectiveHints(s), { shard: 1, shardingKey: null, role: 'replica' });
  s = advanceSession(s, stmts("BEGIN; SET LOCAL pgdog.shard TO 2; SET LOCAL pgdog.sharding_key TO 'k'"));
  assert.deepEqual(effectiveHints(s), { shard: 2, shardingKey: 'k', role: 'replica' });
  s = advanceSession(s, stmts('ROLLBACK'));
  assert.deepEqual(effectiveHints(s), { shard: 1, shardingKey: null, role: 'replica' });
  s = advanceSession(s, stmts('RESET pgdog.role; SET pgdog.shard TO DEFAULT'));
  assert.deepEqual(effectiveHints(s), { shard: null, shardingKey: null, role: null });
  s = advanceSession(s, stmts("SET application_name = 'x'; SET pgdog.shard = 3; RESET ALL"));
  assert.deepEqual([effectiveHints(s).shard, s.applicationName], [null, '']);
});

test('invalid hint values are errors and leave the session unchanged', () => {
  const s = initialSessionState({ inTransaction: false, hints: { shard: 1, shardingKey: null, role: null } });
  const r = stepSession(s, stmts("SET pgdog.shard TO 'two'")[0]);
  assert.match(r.error ?? '', /invalid value for pgdog.shard/);
  assert.equal(r.state, s);
  assert.deepEqual(setHint(s.hints, 'role', 'Replica'), { ok: true, hints: { shard: 1, shardingKey: null, role: 'replica' } });
  assert.equal(setHint(s.hints, 'role', 'standby').ok, false);
});

test('toRouteSession merges the hints and keeps the transaction state', () => {
  const s = advanceSession(initialSessionState(), stmts("BEGIN; SET LOCAL pgdog.role TO 'primary'; SET application_name TO 'app'"));
  assert.deepEqual(toRouteSession(s), { inTransaction: true, transactionReadOnly: false, hints: { shard: null, shardingKey: null, role: 'primary' }, applicationName: 'app' });
});
