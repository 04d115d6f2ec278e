import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvColumns, readQueryLog, type LogEntry } from './query-log.js';

async function read(text: string): Promise<{ format: string; entries: LogEntry[] }> {
  const path = join(mkdtempSync(join(tmpdir(), 'pgdog-log-')), 'log');
  writeFileSync(path, text);
  const entries: LogEntry[] = [];
  const format = await readQueryLog(path, { onEntry: (e) => entries.push(e) });
  return { format, entries };
}

test('plain logs: one statement per line, blank lines skipped, CRLF tolerated, no final newline', async () => {
  const r = await read('SELECT 1\r\n\nSELECT 2\nSELECT 3');
  assert.equal(r.format, 'lines');
  assert.deepEqual(r.entries, [{ query: 'SELECT 1', calls: 1 }, { query: 'SELECT 2', calls: 1 }, { query: 'SELECT 3', calls: 1 }]);
  assert.deepEqual((await read('SELECT only')).entries, [{ query: 'SELECT only', calls: 1 }]);
});

test('pg_stat_statements CSV: query and calls columns found by name, multi-line queries', async () => {
  const r = await read('userid,dbid,queryid,query,calls,total_exec_time\n10,5,1,"SELECT *\nFROM t WHERE id = $1",42,1.5\n10,5,2,"SELECT 1, 2",7,0.1\n');
  assert.equal(r.format, 'pg_stat_statements');
  assert.deepEqual(r.entries, [{ query: 'SELECT *\nFROM t WHERE id = $1', calls: 42 }, { query: 'SELECT 1, 2', calls: 7 }]);
  const noCalls = await read('QUERY\nSELECT 1\n');
  assert.deepEqual(noCalls.entries, [{ query: 'SELECT 1', calls: 1 }]);
});

test('a first line that is SQL is not mistaken for a CSV header', () => {
  assert.equal(csvColumns(['SELECT query', ' calls FROM pg_stat_statements']), null);
  assert.deepEqual(csvColumns(['queryid', ' Query ', 'calls']), { query: 1, calls: 2 });
});
