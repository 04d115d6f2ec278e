import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDatabaseSql, createRoleSql, storedAs } from './roles.js';

test('createRoleSql stores md5 only when asked, scoped to the transaction', () => {
  assert.equal(
    createRoleSql({ name: 'm"d', password: "it's", auth: 'md5' }),
    `BEGIN; SET LOCAL password_encryption = 'md5'; CREATE ROLE "m""d" LOGIN PASSWORD 'it''s'; COMMIT`,
  );
  assert.match(createRoleSql({ name: 's', password: 'x', superuser: true }), /'scram-sha-256'; CREATE ROLE "s" LOGIN SUPERUSER PASSWORD 'x'/);
  assert.equal(storedAs({ name: 'p', auth: 'password', stored: 'md5' }), 'md5');
  assert.equal(storedAs({ name: 'p', auth: 'password' }), 'scram');
});

test('createRoleSql requires a password except for trust', () => {
  assert.throws(() => createRoleSql({ name: 'x', auth: 'scram' }), /password is required/);
  assert.match(createRoleSql({ name: 't', auth: 'trust' }), /CREATE ROLE "t" LOGIN; COMMIT$/);
});

test('createDatabaseSql quotes names and owner', () => {
  assert.equal(createDatabaseSql({ name: 'App', owner: 'o' }), 'CREATE DATABASE "App" OWNER "o"');
});
