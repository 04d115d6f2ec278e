import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { opensTransactionBlock } from './statement-guard.js';

describe('opensTransactionBlock', () => {
  it('recognises BEGIN and START TRANSACTION in any case, after blanks and comments', () => {
    for (const sql of ['BEGIN', 'begin;', ' \n\tBegin isolation level serializable', 'start transaction', 'START\n  TRANSACTION READ ONLY', '-- note\nbegin', '/* a /* nested */ comment */ BEGIN', 'begin work']) {
      assert.equal(opensTransactionBlock(sql), true, sql);
    }
  });

  it('leaves other statements alone, including look-alikes', () => {
    for (const sql of ['select 1', 'beginning', 'BEGIN_x', 'start', 'startup', 'start transactions', 'commit', '', '/* begin */ select 1', "select 'begin'", '-- begin']) {
      assert.equal(opensTransactionBlock(sql), false, sql);
    }
  });
});
