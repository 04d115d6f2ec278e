import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProcStat } from './postmaster.js';
import { isOrphan, type Liveness } from './reaper.js';
import { skipInBackup } from './replica.js';

const live = (alive: number[], ticks: Record<number, string> = {}): Liveness => ({
  alive: (pid) => alive.includes(pid),
  startTicks: (pid) => ticks[pid] ?? null,
});

test('isOrphan: dead owner, recycled pid, or an old dir without owner file', () => {
  const owner = { pid: 10, startTicks: '500', created: 0 };
  assert.equal(isOrphan(owner, 0, live([])), true);
  assert.equal(isOrphan(owner, 0, live([10], { 10: '500' })), false);
  assert.equal(isOrphan(owner, 0, live([10], { 10: '999' })), true);
  assert.equal(isOrphan(owner, 0, live([10])), false);
  assert.equal(isOrphan(null, 1_000, live([])), false);
  assert.equal(isOrphan(null, 3_600_000, live([])), true);
});

test('parseProcStat survives spaces and parentheses in the command name', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i));
  fields[0] = 'S';
  fields[1] = '77';
  fields[19] = '123456';
  assert.deepEqual(parseProcStat(`42 (post gres) x) ${fields.join(' ')}`), { state: 'S', ppid: 77, startTicks: '123456' });
});

test('skipInBackup drops runtime state but keeps the directories', () => {
  for (const rel of ['postmaster.pid', 'pg_wal/000000010000000000000001', 'pg_stat_tmp/x', 'base/1/pg_internal.init', 'base/pgsql_tmp/t1']) {
    assert.equal(skipInBackup(rel), true, rel);
  }
  for (const rel of ['pg_wal', 'pg_wal/archive_status', 'base/1/1259', 'global/pg_control', 'postgresql.auto.conf']) {
    assert.equal(skipInBackup(rel), false, rel);
  }
});
