import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze, normalizeConfig } from '../src/config/normalize.js';
import { validationView } from '../src/config/validation-view.js';

const sources = { configPath: 'p', usersPath: 'u', configSha256: 'a', usersSha256: 'b' };

test('[[servers]] becomes databases, with the database defaults', () => {
  const c = normalizeConfig({ servers: [{ name: 'pgdog', host: '127.0.0.1' }] }, { users: [] }, new Map(), sources);
  assert.equal('servers' in c.pgdog, false);
  assert.equal(c.pgdog.databases.length, 1);
  assert.equal(c.pgdog.databases[0].port, 5432);
  assert.equal(c.pgdog.databases[0].role, 'primary');
  assert.equal(c.pgdog.databases[0].shard, 0);
});

test('every section and key gets its schema default', () => {
  const c = normalizeConfig({}, {}, new Map(), sources);
  assert.equal(c.pgdog.general.port, 6432);
  assert.equal(c.pgdog.general.default_pool_size, 10);
  assert.equal(c.pgdog.general.pooler_mode, 'transaction');
  assert.deepEqual(c.pgdog.databases, []);
  assert.deepEqual(c.users.users, []);
  assert.equal(c.users.admin.user, 'admin');
  assert.deepEqual(c.sources, sources);
});

test('explicit values win over defaults', () => {
  const c = normalizeConfig({ general: { port: 7000 } }, { users: [{ name: 'a', database: 'x', pool_size: 3 }] }, new Map(), sources);
  assert.equal(c.pgdog.general.port, 7000);
  assert.equal(c.users.users[0].pool_size, 3);
  assert.equal(c.users.users[0].server_auth, 'password');
});

test('the result is deeply frozen and does not share objects with its input', () => {
  const input = { databases: [{ name: 'a', host: 'h' }] };
  const c = normalizeConfig(input, {}, new Map(), sources);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.pgdog) && Object.isFrozen(c.pgdog.databases) && Object.isFrozen(c.pgdog.databases[0]));
  assert.throws(() => {
    (c.pgdog.databases[0] as { port: number }).port = 1;
  }, TypeError);
  assert.equal('port' in input.databases[0], false);
});

test('64-bit mapping values stay exact; other big integers stay numbers', () => {
  const doc = {
    general: { query_timeout: 9223372036854775807n },
    databases: [{ name: 's', host: 'a', shard: 0 }, { name: 's', host: 'b', shard: 1 }],
    sharded_tables: [{ database: 's', column: 'id', mapping: [{ start: 9007199254740993n, end: 9223372036854775807n, shard: 1 }, { values: [9007199254740995n], shard: 0 }] }],
  };
  const view = validationView(doc);
  const c = normalizeConfig(view.data, {}, view.bigints, sources);
  const [range, list] = c.pgdog.sharded_tables[0].mapping ?? [];
  assert.equal(range.start, 9007199254740993n);
  assert.equal(range.end, 9223372036854775807n);
  assert.deepEqual(list.values, [9007199254740995n]);
  assert.equal(typeof c.pgdog.general.query_timeout, 'number');
});

test('deepFreeze freezes nested arrays and objects', () => {
  const v = deepFreeze({ a: [{ b: 1 }] });
  assert.ok(Object.isFrozen(v.a[0]));
});
