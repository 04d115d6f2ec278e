import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, loadSqlParser, parseSql } from '@pgdog/compiler';
import { SessionParams } from './session-params.js';
import { ServerParams, SyncOutcome, SyncResponse, syncPlan } from './sync-plan.js';
import { parseStartupOptions } from './startup-options.js';
import { pinReason } from './session-pinning.js';
import { quoteLiteral } from './quote.js';

const I = 0x49;
const T = 0x54;
const E = 0x45;

before(() => loadSqlParser());

/** Sends a simple Query and delivers its ReadyForQuery with `status`. */
function query(p: SessionParams, sql: string, status: number, error = false, startStatus = I): void {
  const a = analyze(sql);
  assert.ok(a.ok);
  p.query(a.statements, 0, startStatus);
  p.endRequest();
  if (p.tracking) p.ready(status, error);
}

test('options parsed as libpq / PostgreSQL do', () => {
  assert.deepEqual(parseStartupOptions('-c search_path=a,b --statement-timeout=5s -cwork_mem=64MB -c app.x=hello\\ world -B 100'), [
    { name: 'search_path', value: 'a,b' },
    { name: 'statement_timeout', value: '5s' },
    { name: 'work_mem', value: '64MB' },
    { name: 'app.x', value: 'hello world' },
  ]);
});

test('startup parameters are the defaults; SET outside a transaction applies, RESET returns to them', () => {
  const p = new SessionParams({ user: 'u', database: 'd', application_name: 'app', TimeZone: 'UTC', options: '-c search_path=s1' });
  assert.deepEqual([...p.values.keys()].sort(), ['application_name', 'search_path', 'timezone']);
  query(p, "SET search_path TO a, \"B\"", I);
  assert.equal(p.values.get('search_path'), `SET "search_path" TO E'a', E'B'`);
  query(p, 'SET app.x = 5', I);
  assert.equal(p.values.get('app.x'), `SET "app"."x" TO E'5'`);
  query(p, 'RESET search_path', I);
  assert.match(p.values.get('search_path')!, /set_config\(E'search_path', E's1'/);
  query(p, 'RESET ALL', I);
  assert.equal(p.values.has('app.x'), false);
});

test('SET LOCAL never persists; a failed SET does not apply', () => {
  const p = new SessionParams({});
  query(p, 'SET LOCAL x.y = 1', I);
  assert.equal(p.values.size, 0);
  query(p, 'SET x.y = 1; SELECT 1/0', I, true);
  assert.equal(p.values.size, 0);
});

test('inside a transaction: applied on COMMIT, dropped on ROLLBACK or a failed block', () => {
  const p = new SessionParams({});
  query(p, 'BEGIN; SET a.b = 1; COMMIT', I);
  assert.equal(p.values.has('a.b'), true);
  query(p, 'BEGIN; SET a.c = 1; ROLLBACK', I);
  assert.equal(p.values.has('a.c'), false);
  // Across requests: BEGIN (untracked), SET in T, then COMMIT of a failed block is a rollback.
  query(p, 'SET a.d = 1', T, false, T);
  query(p, 'SELECT 1/0', E, true);
  query(p, 'COMMIT', I);
  assert.equal(p.values.has('a.d'), false);
  query(p, 'SET a.e = 1', T, false, T);
  query(p, 'COMMIT', I);
  assert.equal(p.values.has('a.e'), true);
});

test('savepoints: ROLLBACK TO drops changes after it, RELEASE keeps them', () => {
  const p = new SessionParams({});
  query(p, 'BEGIN; SET a.one = 1; SAVEPOINT s; SET a.two = 2; ROLLBACK TO s; SET a.three = 3; COMMIT', I);
  assert.deepEqual([...p.values.keys()].sort(), ['a.one', 'a.three']);
  query(p, 'BEGIN; SAVEPOINT s; SET a.four = 4; RELEASE s; COMMIT', I);
  assert.equal(p.values.has('a.four'), true);
  // A savepoint set before anything pgdog tracked: everything after it goes.
  query(p, 'SET a.five = 5', T, false, T);
  query(p, 'ROLLBACK TO unknown_sp', T);
  query(p, 'COMMIT', I);
  assert.equal(p.values.has('a.five'), false);
});

test('sync plan: SET for differing values, RESET for ones the client never set, nothing when equal', () => {
  const server = new ServerParams();
  server.values.set('search_path', `SET "search_path" TO E'old'`);
  server.values.set('app.left', `SET "app"."left" TO E'x'`);
  const p = new SessionParams({ application_name: "o'brien\\" });
  query(p, 'SET search_path TO new', I);
  const plan = syncPlan(p.values, server)!;
  assert.equal(plan.statements, 3);
  assert.match(plan.sql, /set_config\(E'application_name', E'o''brien\\\\', false\)/);
  assert.match(plan.sql, /RESET "app"\."left"/);
  assert.equal(plan.frame[0], 0x51);
  plan.applied();
  assert.equal(syncPlan(p.values, server), null);
  const r = new SyncResponse();
  assert.equal(r.onServerFrame(0x43), SyncOutcome.Swallow);
  assert.equal(r.onServerFrame(0x53), SyncOutcome.Swallow);
  assert.equal(r.onServerFrame(0x5a), SyncOutcome.Done);
  const bad = new SyncResponse();
  bad.onServerFrame(0x45);
  assert.equal(bad.onServerFrame(0x5a), SyncOutcome.Failed);
  assert.equal(quoteLiteral("a'b\\c"), "E'a''b\\\\c'");
});

test('session pinning classifier', () => {
  const reason = (sql: string): string | null => {
    const a = analyze(sql);
    const p = parseSql(sql);
    assert.ok(a.ok && p.ok);
    return pinReason(a.statements[0], p.statements[0].node);
  };
  assert.equal(reason('SELECT pg_advisory_lock(1)'), 'advisory_lock');
  assert.equal(reason('SELECT pg_catalog.pg_advisory_lock_shared(1, 2)'), 'advisory_lock');
  assert.equal(reason('SELECT pg_advisory_xact_lock(1)'), null);
  assert.equal(reason('LISTEN ch'), 'listen');
  assert.equal(reason('CREATE TEMP TABLE t (a int)'), 'temp_object');
  assert.equal(reason('CREATE TEMPORARY TABLE t AS SELECT 1'), 'temp_object');
  assert.equal(reason('SELECT 1 INTO TEMP t2'), 'temp_object');
  assert.equal(reason('CREATE TABLE t (a int)'), null);
  assert.equal(reason('DECLARE c CURSOR WITH HOLD FOR SELECT 1'), 'hold_cursor');
  assert.equal(reason('DECLARE c CURSOR FOR SELECT 1'), null);
  assert.equal(reason('PREPARE p AS SELECT 1'), 'sql_prepare');
  assert.equal(reason("SELECT set_config('search_path', 'a', false)"), 'set_config');
  assert.equal(reason('SELECT 1'), null);
});
