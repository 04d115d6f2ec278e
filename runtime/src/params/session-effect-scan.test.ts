import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, loadSqlParser, parseSql } from '@pgdog/compiler';
import { mayAffectSession } from './session-effect-scan.js';
import { changeOf } from './session-params.js';
import { needsParseTree, pinReason } from './session-pinning.js';

before(() => loadSqlParser());

const scan = (sql: string, withTx = false): boolean => {
  const b = Buffer.from(sql);
  return mayAffectSession(b, 0, b.length, withTx);
};

/** What the parser says: a statement that changes or ties the session. */
function affects(sql: string, withTx: boolean): boolean {
  const a = analyze(sql);
  if (!a.ok) return false;
  const parsed = parseSql(sql);
  return a.statements.some((s, i) => {
    const change = changeOf(s);
    if (change !== null && (withTx || s.transaction === null)) return true;
    if (s.node === 'DeallocateStmt' || s.node === 'DiscardStmt') return true;
    return pinReason(s, needsParseTree(s) && parsed.ok ? parsed.statements[i].node : null) !== null;
  });
}

const AFFECTING = [
  'SET search_path TO a', 'set TimeZone = UTC', '  /* c */ RESET ALL', '-- x\nRESET work_mem', 'SELECT 1; SET x.y = 1',
  'select 1 ;  set application_name = a', 'DISCARD ALL', 'DEALLOCATE p', 'LISTEN ch', 'PREPARE q AS SELECT 1',
  'DECLARE c CURSOR WITH HOLD FOR SELECT 1', 'CREATE TEMP TABLE t (x int)', 'create temporary view v as select 1',
  'SELECT pg_advisory_lock(1)', 'SELECT PG_TRY_ADVISORY_LOCK(1, 2)', "SELECT set_config('a.b', '1', false)",
  'SELECT 1 INTO TEMP t', 'WITH x AS (SELECT 1) SELECT pg_advisory_lock_shared(2) FROM x',
  'SET LOCAL x.y = 1', 'SET SESSION search_path = a',
];
const PLAIN = [
  'SELECT abalance FROM pgbench_accounts WHERE aid = 1', 'UPDATE t SET x = 1', 'INSERT INTO t VALUES (1)',
  'BEGIN', 'COMMIT', 'SELECT 1', "SELECT 'set x' AS s", 'END',
];

test('every statement that changes or ties the session is flagged (checked against the parser)', () => {
  for (const sql of [...AFFECTING, ...PLAIN]) {
    for (const withTx of [false, true]) {
      if (affects(sql, withTx)) assert.equal(scan(sql, withTx), true, `${sql} (withTransaction ${withTx})`);
    }
  }
  for (const sql of AFFECTING.slice(0, -2)) assert.ok(affects(sql, false), `corpus: ${sql} has an effect`);
});

test('plain traffic is not flagged, so it is never parsed', () => {
  for (const sql of ['SELECT abalance FROM pgbench_accounts WHERE aid = 1;', 'UPDATE pgbench_tellers SET tbalance = tbalance + 5 WHERE tid = 3;',
    'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, 4, CURRENT_TIMESTAMP);', 'BEGIN;', 'END;']) {
    assert.equal(scan(sql), false, sql);
  }
  // Transaction control counts only when asked for.
  assert.equal(scan('BEGIN'), false);
  assert.equal(scan('BEGIN', true), true);
  assert.equal(scan('select 1; commit', true), true);
  assert.equal(scan('SELECT 1 INTO t'), false, 'a permanent SELECT INTO does not pin');
});
