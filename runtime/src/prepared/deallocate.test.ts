import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, loadSqlParser, parseSql } from '@pgdog/compiler';
import { ClientStatements, statementKey } from './client-statements.js';
import { decideDeallocate } from './deallocate.js';
import { StatementCache } from './statement-cache.js';

before(() => loadSqlParser());

function decide(sql: string, client: ClientStatements, status = 0x49, pinned = false) {
  const a = analyze(sql);
  const p = parseSql(sql);
  assert.ok(a.ok && p.ok);
  return decideDeallocate(a.statements[0], p.statements[0].node, client, status, pinned);
}

test('DEALLOCATE of a known name is answered locally and touches only this client', () => {
  const cache = new StatementCache();
  const mine = new ClientStatements();
  const theirs = new ClientStatements();
  mine.set(statementKey('s'), cache.intern('SELECT 1', []));
  theirs.set(statementKey('s'), cache.intern('SELECT 1', []));
  const d = decide('DEALLOCATE s', mine);
  assert.equal(d.kind, 'answer');
  if (d.kind === 'answer') assert.deepEqual([...d.frames.subarray(0, 1), ...d.frames.subarray(-6, -5)], [0x43, 0x5a]);
  assert.equal(mine.size, 0);
  assert.equal(theirs.size, 1);
});

test('DEALLOCATE of an unknown name reaches the server (its own 26000); pgdog names are never sent', () => {
  const c = new ClientStatements();
  assert.equal(decide('DEALLOCATE nope', c).kind, 'forward');
  const d = decide('DEALLOCATE __pgdog_1', c);
  assert.equal(d.kind, 'replace');
  if (d.kind === 'replace') assert.match(d.sql, /26000.*prepared statement "__pgdog_1" does not exist/);
  // In a failed block the server answers 25P02 itself.
  assert.equal(decide('DEALLOCATE __pgdog_1', c, 0x45).kind, 'forward');
});

test('DEALLOCATE ALL / DISCARD ALL clear this client; DISCARD ALL in a block goes to the server', () => {
  const cache = new StatementCache();
  const c = new ClientStatements();
  c.set('a', cache.intern('SELECT a', []));
  assert.equal(decide('DEALLOCATE ALL', c).kind, 'answer');
  assert.equal(c.size, 0);
  c.set('a', cache.intern('SELECT a', []));
  assert.equal(decide('DISCARD ALL', c, 0x54).kind, 'forward');
  assert.equal(c.size, 1);
  const d = decide('DISCARD ALL', c);
  assert.ok(d.kind === 'answer' && d.discardAll);
  assert.equal(c.size, 0);
  assert.equal(decide('DISCARD ALL', c, 0x49, true).kind, 'forward');
});
