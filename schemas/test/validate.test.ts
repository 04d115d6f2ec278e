import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validatePgdogToml,
  validateUsersToml,
  applyPgdogDefaults,
  applyUsersDefaults,
  InvalidDocumentError,
  type PgdogToml,
} from '../src/index.js';

const quickStart = () => ({ general: { host: '0.0.0.0', port: 6432 }, servers: [{ name: 'pgdog', host: '127.0.0.1' }] });

test('the original quick start ([general] host/port + [[servers]]) validates', () => {
  assert.equal(validatePgdogToml(quickStart()), true);
  assert.equal(validatePgdogToml.errors, null);
});

test('pgDog README examples validate', () => {
  const sharded = {
    general: { port: 6432, default_pool_size: 10 },
    databases: [
      { name: 'prod', host: '10.0.0.1', database_name: 'shard_0', shard: 0 },
      { name: 'prod', host: '10.0.0.2', database_name: 'shard_1', shard: 1 },
      { name: 'prod', host: '10.0.0.3', database_name: 'shard_1', shard: 1, role: 'replica' },
    ],
    sharded_tables: [
      { database: 'prod', column: 'user_id' },
      { database: 'prod', name: 'orders', column: 'region', data_type: 'varchar', mapping: [{ shard: 0, values: ['eu', 'uk'] }, { shard: 1, start: 'a', end: 'm' }, { shard: 1 }] },
    ],
    omnisharded_tables: [{ database: 'prod', tables: ['countries'], sticky: true }],
    query_rules: [
      { name: 'reports', database: 'prod', match: "select and table in ('events')", route: 'replica' },
      { name: 'pin', match: 'table = \'audit\'', route: 'shard:3' },
      { name: 'no truncate', match: 'ddl', route: 'block', message: 'not here' },
    ],
    plugins: [{ name: 'router', path: './librouter.so', config: 'router.toml' }],
    admin: { password: 'secret' },
  };
  assert.equal(validatePgdogToml(sharded), true, JSON.stringify(validatePgdogToml.errors));
  assert.equal(validateUsersToml({ users: [{ name: 'alice', database: 'pgdog', password: 'hunter2' }] }), true);
});

test('an unknown key is an additionalProperties error at its parent', () => {
  assert.equal(validatePgdogToml({ general: { prot: 6432 }, databases: [{ name: 'a', host: 'h', hots: 'x' }] }), false);
  const errors = validatePgdogToml.errors ?? [];
  const extra = errors.filter((e) => e.keyword === 'additionalProperties').map((e) => [e.instancePath, e.params.additionalProperty]);
  assert.deepEqual(extra, [['/general', 'prot'], ['/databases/0', 'hots']]);
});

test('unknown top-level sections and users.toml keys are rejected', () => {
  assert.equal(validatePgdogToml({ stats: {} }), false);
  assert.equal(validatePgdogToml.errors?.[0]?.instancePath, '');
  assert.equal(validateUsersToml({ users: [{ name: 'a', passwrd: 'x' }] }), false);
  assert.equal(validateUsersToml.errors?.[0]?.instancePath, '/users/0');
});

test('every error is reported, not just the first', () => {
  const bad = { general: { port: 70000, pooler_mode: 'sesion', default_pool_size: '10' }, databases: [{ name: 'x' }] };
  assert.equal(validatePgdogToml(bad), false);
  const got = (validatePgdogToml.errors ?? []).map((e) => `${e.instancePath}:${e.keyword}`).sort();
  assert.deepEqual(got, ['/databases/0:required', '/general/default_pool_size:type', '/general/pooler_mode:enum', '/general/port:maximum']);
});

test('query rule routes: enum or shard:N', () => {
  const rule = (route: string) => ({ query_rules: [{ name: 'r', match: 'select', route }] });
  for (const ok of ['primary', 'replica', 'all_shards', 'block', 'shard:0', 'shard:12']) assert.equal(validatePgdogToml(rule(ok)), true, ok);
  for (const bad of ['shard:', 'shard:-1', 'shards:1', 'Primary', 'shard:1 ']) assert.equal(validatePgdogToml(rule(bad)), false, bad);
});

test('mapping values are integers or strings, and a rule is a list or a range', () => {
  const table = (mapping: unknown[]) => ({ sharded_tables: [{ database: 'd', column: 'c', mapping }] });
  assert.equal(validatePgdogToml(table([{ shard: 0, values: [1, 'a'] }, { shard: 1, start: 1, end: 5 }])), true);
  assert.equal(validatePgdogToml(table([{ shard: 0, values: [1.5] }])), false);
  assert.equal(validatePgdogToml(table([{ shard: 0, values: [1], start: 0 }])), false);
  assert.equal(validatePgdogToml.errors?.[0]?.instancePath, '/sharded_tables/0/mapping/0/start');
});

test('defaults are filled into a valid document', () => {
  const cfg = applyPgdogDefaults(quickStart());
  assert.equal(cfg.general.default_pool_size, 10);
  assert.equal(cfg.general.pooler_mode, 'transaction');
  assert.equal(cfg.general.checkout_timeout, 5000);
  const server = cfg.servers[0];
  assert.equal(server?.port, 5432);
  assert.equal(server?.role, 'primary');
  assert.equal(server?.shard, 0);
  assert.equal(server?.lb_weight, 255);
  assert.deepEqual(cfg.databases, []);
  assert.deepEqual(cfg.admin, { name: 'admin', user: 'admin' });
  assert.equal(cfg.tcp.keepalive, true);
  assert.equal('replica_lag' in cfg, false);
  assert.equal(cfg.general.query_timeout, undefined, 'off-by-default keys stay unset');
  assert.equal(validatePgdogToml(cfg), true, 'a defaulted document still validates');
});

test('an empty file is a complete default configuration', () => {
  const empty: PgdogToml = {};
  const cfg = applyPgdogDefaults(empty);
  assert.equal(cfg, empty, 'filled in place');
  assert.equal(cfg.general.port, 6432);
  assert.equal(cfg.general.host, '0.0.0.0');
  const users = applyUsersDefaults({ users: [{ name: 'alice', database: 'pgdog' }] });
  assert.deepEqual(users.users[0]?.databases, []);
  assert.equal(users.users[0]?.server_auth, 'password');
  assert.equal(users.admin.user, 'admin');
});

test('explicit values win over defaults', () => {
  const cfg = applyPgdogDefaults({ general: { default_pool_size: 3 }, databases: [{ name: 'a', host: 'h', port: 5433, role: 'replica' }] });
  assert.equal(cfg.general.default_pool_size, 3);
  assert.equal(cfg.databases[0]?.port, 5433);
  assert.equal(cfg.databases[0]?.role, 'replica');
});

test('applying defaults to an invalid document throws with the errors', () => {
  assert.throws(() => applyPgdogDefaults({ general: { port: 0 } }), (e: unknown) => {
    assert.ok(e instanceof InvalidDocumentError);
    assert.equal(e.errors[0]?.instancePath, '/general/port');
    return true;
  });
});
