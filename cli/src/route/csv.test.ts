import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvReader, parseCsv } from './csv.js';

test('quoted fields with commas, doubled quotes and line breaks; CRLF; blank lines skipped', () => {
  const text = 'query,calls\r\n"SELECT a, b FROM t WHERE x = ""y""",3\n"SELECT 1\nFROM t",2\n\nplain,1';
  assert.deepEqual(parseCsv(text), [['query', 'calls'], ['SELECT a, b FROM t WHERE x = "y"', '3'], ['SELECT 1\nFROM t', '2'], ['plain', '1']]);
  assert.deepEqual(parseCsv('a,,""\n'), [['a', '', '']]);
});

test('records come out the same whatever the chunk boundaries', () => {
  const text = 'q,c\r\n"x ""quoted"", y\r\nz",10\r\nplain,2\r\n"end"';
  const whole = parseCsv(text);
  for (let size = 1; size <= 7; size++) {
    const got: string[][] = [];
    const r = new CsvReader((rec) => got.push(rec));
    for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
    r.end();
    assert.deepEqual(got, whole, `chunks of ${size}`);
  }
  assert.deepEqual(whole, [['q', 'c'], ['x "quoted", y\r\nz', '10'], ['plain', '2'], ['end']]);
});
