// Most of this file is checked by the compiler: if the generated types drift from what the
// config loader relies on, `tsc -b` fails. The runtime assertions check the same sample validates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyPgdogDefaults,
  validatePgdogToml,
  type PgdogConfig,
  type PgdogToml,
  type DatabaseConfig,
  type UsersConfig,
  type UserToml,
  type PoolerMode,
  type QueryRuleConfig,
  type MappingRuleConfig,
  type UnimplementedKey,
  unimplementedKeys,
} from '../src/index.js';

// Normalized types: keys with defaults are required and not undefined.
const port: PgdogConfig['general']['port'] = 6432;
const poolSize: PgdogConfig['general']['default_pool_size'] = 10;
const role: DatabaseConfig['role'] = 'replica';
const shard: DatabaseConfig['shard'] = 0;
const adminUser: UsersConfig['admin']['user'] = 'admin';
// @ts-expect-error a defaulted key cannot be undefined once defaults are filled
const noPort: PgdogConfig['general']['port'] = undefined;
// Input types: everything not required is optional.
const inputPort: NonNullable<PgdogToml['general']>['port'] = undefined;
// @ts-expect-error enums are closed
const badMode: PoolerMode = 'sesion';
// @ts-expect-error shard routes are shard:<number>
const badRoute: QueryRuleConfig['route'] = 'shard:x';
const goodRoute: QueryRuleConfig['route'] = 'shard:2';
const flexible: MappingRuleConfig['values'] = [1, 'eu'];
const user: UserToml = { name: 'alice', database: 'pgdog', password: 'x' };
// @ts-expect-error misspelled keys are type errors too
const misspelt: UserToml = { name: 'alice', pasword: 'x' };
const entry: UnimplementedKey | undefined = unimplementedKeys[0];

const sample: PgdogConfig = {
  general: applyPgdogDefaults({}).general,
  databases: [{ name: 'pgdog', host: '127.0.0.1', port: 5432, role: 'primary', shard: 0, lb_weight: 255, resharding_only: false }],
  servers: [],
  sharded_tables: [{ database: 'pgdog', column: 'id', data_type: 'bigint', hasher: 'postgres', lookup_result: 'value', primary: false, centroid_probes: 0, centroids: [] }],
  sharded_mappings: [],
  omnisharded_tables: [],
  sharded_schemas: [],
  admin: { name: 'admin', user: 'admin' },
  tcp: { keepalive: true },
  memory: { message_buffer: 4096, net_buffer: 4096, stack_size: 2097152 },
  plugins: [],
  replication: { pg_dump_path: 'pg_dump' },
  mirroring: [],
  rewrite: { enabled: false, primary_key: 'ignore', shard_key: 'error', split_inserts: 'error' },
  query_parsers: [],
  otel: { headers: {}, push_interval: 10000 },
  query_rules: [{ name: 'r', match: 'select', route: goodRoute }],
};

test('the typed sample is a valid, fully defaulted configuration', () => {
  assert.equal(validatePgdogToml(sample), true, JSON.stringify(validatePgdogToml.errors));
  const refilled = applyPgdogDefaults(structuredClone(sample));
  assert.deepEqual(refilled, sample, 'nothing left to default');
  assert.deepEqual([port, poolSize, role, shard, adminUser, noPort, inputPort, badMode, badRoute, flexible, user, misspelt, entry?.file], [6432, 10, 'replica', 0, 'admin', undefined, undefined, 'sesion', 'shard:x', [1, 'eu'], user, misspelt, 'pgdog']);
});
