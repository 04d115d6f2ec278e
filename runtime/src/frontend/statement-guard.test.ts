import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, loadSqlParser } from '@pgdog/compiler';
import { opensTransactionBlock } from './statement-guard.js';

describe('opensTransactionBlock', () => {
  before(() => loadSqlParser());

  it('recognises a transaction block opened anywhere in the text', () => {
    for (const sql of [
      'BEGIN',
      'begin;',
      ' \n\tBegin isolation level serializable',
      'start transaction',
      'START\n  TRANSACTION READ ONLY',
      '-- note\nbegin',
      '/* a /* nested */ comment */ BEGIN',
      'begin work',
      'select 1; begin',
      'select 1; START TRANSACTION; select 2',
      'insert into t values (1); /* x */ begin; update t set a = 2',
      'commit and chain',
      'select 1; rollback and chain',
    ]) {
      assert.equal(opensTransactionBlock(analyze(sql)), true, sql);
    }
  });

  it('leaves other statements alone, including look-alikes', () => {
    for (const sql of [
      'select 1',
      'select 1; select 2',
      'commit',
      'rollback',
      'savepoint a',
      '',
      '/* begin */ select 1',
      "select 'begin'",
      "select 'x; begin'",
      'select 1 as begin',
      '-- begin',
      'DO $$ BEGIN PERFORM 1; END $$',
      'create function f() returns int language plpgsql as $$ begin return 1; end $$',
      'select $q$; begin; $q$',
    ]) {
      assert.equal(opensTransactionBlock(analyze(sql)), false, sql);
    }
  });

  it('leaves text that does not parse to the server', () => {
    assert.equal(opensTransactionBlock(analyze('begin; selec 1')), false);
  });
});
