import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgdogSchema, usersSchema } from '@pgdog/schemas';
import { checkSemantics } from '../src/config/semantic.js';
import { semanticDefaults } from '../src/config/semantic-defaults.js';
import type { Table } from '../src/config/shape.js';

const defaults = semanticDefaults(pgdogSchema as Table, usersSchema as Table);
const shop = [
  { name: 'shop', host: 'a', shard: 0 },
  { name: 'shop', host: 'b', shard: 1 },
];
const everyone = { users: [{ name: 'u', all_databases: true, password: 'p' }] };

/** [code, pointer] pairs, in the order checks report them. */
function check(pgdog: Table | undefined, users: Table | undefined = everyone): string[] {
  return checkSemantics(pgdog, users, defaults).map((f) => `${f.code} ${f.pointer}`);
}

test('the defaults semantic checks need are all declared by the schemas', () => {
  assert.deepEqual(defaults, {
    port: 5432,
    shard: 0,
    role: 'primary',
    dataType: 'bigint',
    authType: 'scram',
    passthroughAuth: 'disabled',
    tlsVerify: 'prefer',
    serverAuth: 'password',
  });
});

test('a well-formed sharded config has no findings', () => {
  const pgdog = {
    databases: shop,
    sharded_tables: [{ database: 'shop', name: 't', column: 'id', mapping: [{ values: [1, 2], shard: 0 }, { start: 10, end: 20, shard: 1 }, { shard: 1 }] }],
    omnisharded_tables: [{ database: 'shop', tables: ['countries'] }],
    query_rules: [{ name: 'r', database: 'shop', match: 'select', route: 'shard:1' }],
  };
  assert.deepEqual(check(pgdog), []);
});

test('[[servers]] together with [[databases]]', () => {
  assert.deepEqual(check({ servers: [{ name: 'a', host: 'x' }], databases: [{ name: 'a', host: 'y' }] }), ['E_SERVERS_AND_DATABASES /servers']);
});

test('[[servers]] alone is the early format and counts as databases', () => {
  assert.deepEqual(check({ servers: [{ name: 'a', host: 'x' }] }, { users: [{ name: 'u', database: 'a', password: 'p' }] }), []);
});

test('duplicate hosts: same server twice, same server under two shards, primary and replica', () => {
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x' }, { name: 'a', host: 'X', port: 5432, database_name: 'a' }] }), ['E_DUPLICATE_HOST /databases/1/host']);
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x', shard: 0 }, { name: 'a', host: 'x', shard: 1 }] }), ['E_DUPLICATE_HOST /databases/1/host']);
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x' }, { name: 'a', host: 'x', role: 'replica' }] }), ['W_SAME_SERVER_ROLES /databases/1/host']);
  // Different port or database name: a different server.
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x' }, { name: 'a', host: 'x', port: 5433 }] }), []);
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x', shard: 0, database_name: 's0' }, { name: 'a', host: 'x', shard: 1, database_name: 's1' }] }), []);
});

test('shard numbers must be contiguous from 0', () => {
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x', shard: 0 }, { name: 'a', host: 'y', shard: 2 }] }), ['E_SHARD_GAP /databases/1/shard']);
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x', shard: 1 }] }), ['E_SHARD_GAP /databases/0/shard']);
  // Malformed shard numbers are the schema's business.
  assert.deepEqual(check({ databases: [{ name: 'a', host: 'x', shard: 'two' }] }), []);
});

test('sharded tables need a defined, sharded database', () => {
  assert.deepEqual(check({ databases: shop, sharded_tables: [{ database: 'shpo', column: 'id' }] }), ['E_UNKNOWN_DATABASE /sharded_tables/0/database']);
  assert.deepEqual(check({ databases: [{ name: 'one', host: 'x' }], sharded_tables: [{ database: 'one', column: 'id' }] }), ['E_NOT_SHARDED /sharded_tables/0/database']);
  assert.deepEqual(check({ databases: [{ name: 'one', host: 'x' }], omnisharded_tables: [{ database: 'one', tables: ['t'] }] }), ['E_NOT_SHARDED /omnisharded_tables/0/database']);
  assert.deepEqual(check({ databases: shop, sharded_schemas: [{ database: 'shop', shard: 2 }] }), ['E_SHARD_OUT_OF_RANGE /sharded_schemas/0/shard']);
  assert.deepEqual(check({ databases: shop, mirroring: [{ source_db: 'shop', destination_db: 'copy' }] }), ['E_UNKNOWN_DATABASE /mirroring/0/destination_db']);
});

test("with dry_run (pgDog's sharding rehearsal) sharding config on one shard is allowed", () => {
  assert.deepEqual(check({ general: { dry_run: true }, databases: [{ name: 'one', host: 'x' }], sharded_tables: [{ database: 'one', column: 'id' }] }), []);
});

test('the unknown-database finding suggests a close name', () => {
  const [f] = checkSemantics({ databases: shop, sharded_tables: [{ database: 'shpo', column: 'id' }] }, everyone, defaults);
  assert.equal(f.hint, 'did you mean `shop`?');
});

test('a table configured twice, or both sharded and omnisharded', () => {
  const t = (name: string, column = 'id', schema?: string) => ({ database: 'shop', name, column, ...(schema ? { schema } : {}) });
  assert.deepEqual(check({ databases: shop, sharded_tables: [t('a'), t('a', 'other')] }), ['E_DUPLICATE_TABLE /sharded_tables/1/name']);
  assert.deepEqual(check({ databases: shop, sharded_tables: [t('a', 'id', 's1'), t('a', 'id', 's2')] }), []);
  assert.deepEqual(check({ databases: shop, sharded_tables: [t('a', 'id', 's1')], omnisharded_tables: [{ database: 'shop', tables: ['s1.a'] }] }), ['E_DUPLICATE_TABLE /omnisharded_tables/0/tables/0']);
  assert.deepEqual(check({ databases: shop, omnisharded_tables: [{ database: 'shop', tables: ['x', 'x'] }] }), ['E_DUPLICATE_TABLE /omnisharded_tables/0/tables/1']);
});

test('mapping values must have the type of the column', () => {
  const table = (data_type: string, mapping: unknown[]) => ({ databases: shop, sharded_tables: [{ database: 'shop', column: 'c', data_type, mapping }] });
  assert.deepEqual(check(table('bigint', [{ values: [1, '2', 3n], shard: 0 }])), ['E_MAPPING_TYPE /sharded_tables/0/mapping/0/values/1']);
  assert.deepEqual(check(table('varchar', [{ values: ['a', 1], shard: 0 }])), ['E_MAPPING_TYPE /sharded_tables/0/mapping/0/values/1']);
  assert.deepEqual(check(table('uuid', [{ start: 'nope', end: '{6F1C2B1E-8D4C-4A57-9F7E-0C1D2E3F4A5B}', shard: 0 }])), ['E_MAPPING_TYPE /sharded_tables/0/mapping/0/start']);
  // Booleans, floats, tables are schema type errors, not reported twice.
  assert.deepEqual(check(table('bigint', [{ values: [true, 1.5], shard: 0 }])), []);
});

test('ranges: empty, overlapping (unbounded ends included), compared by the column type', () => {
  const table = (data_type: string, mapping: unknown[]) => ({ databases: shop, sharded_tables: [{ database: 'shop', column: 'c', data_type, mapping }] });
  assert.deepEqual(check(table('bigint', [{ start: 5, end: 5, shard: 0 }])), ['E_EMPTY_RANGE /sharded_tables/0/mapping/0/start']);
  assert.deepEqual(check(table('bigint', [{ start: 0, end: 10, shard: 0 }, { start: 10, end: 20, shard: 1 }])), []);
  assert.deepEqual(check(table('bigint', [{ start: 0, end: 10, shard: 0 }, { start: 9, shard: 1 }])), ['E_RANGE_OVERLAP /sharded_tables/0/mapping/1/start']);
  assert.deepEqual(check(table('bigint', [{ end: 0, shard: 0 }, { end: -5, shard: 1 }])), ['E_RANGE_OVERLAP /sharded_tables/0/mapping/1/end']);
  // 2^63-1 and 2^63-2 differ only beyond double precision.
  assert.deepEqual(check(table('bigint', [{ start: 9223372036854775806n, end: 9223372036854775807n, shard: 0 }])), []);
  // Strings by UTF-8 bytes: "B" < "a".
  assert.deepEqual(check(table('varchar', [{ start: 'a', end: 'B', shard: 0 }])), ['E_EMPTY_RANGE /sharded_tables/0/mapping/0/start']);
  // UUIDs by bytes, whatever their spelling.
  assert.deepEqual(
    check(table('uuid', [{ end: 'AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA', shard: 0 }, { start: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', shard: 1 }])),
    [],
  );
});

test('list values mapped twice, default mapped twice, shard out of range', () => {
  const table = (mapping: unknown[]) => ({ databases: shop, sharded_tables: [{ database: 'shop', column: 'c', mapping }] });
  assert.deepEqual(check(table([{ values: [1, 2], shard: 0 }, { values: [2], shard: 1 }])), ['E_DUPLICATE_VALUE /sharded_tables/0/mapping/1/values/0']);
  assert.deepEqual(check(table([{ shard: 0 }, { shard: 1 }])), ['E_DUPLICATE_DEFAULT /sharded_tables/0/mapping/1']);
  assert.deepEqual(check(table([{ values: [1], shard: 2 }])), ['E_SHARD_OUT_OF_RANGE /sharded_tables/0/mapping/0/shard']);
});

test('query rules: unknown database, shard beyond the database, duplicate names', () => {
  const rules = [
    { name: 'a', database: 'shop', match: 'select', route: 'shard:2' },
    { name: 'a', match: 'select', route: 'primary' },
    { name: 'b', database: 'nope', match: 'select', route: 'replica' },
  ];
  assert.deepEqual(check({ databases: shop, query_rules: rules }), [
    'E_SHARD_OUT_OF_RANGE /query_rules/0/route',
    'E_DUPLICATE_RULE /query_rules/1/name',
    'E_UNKNOWN_DATABASE /query_rules/2/database',
  ]);
});

test('users: unknown databases, duplicates, no database, no password', () => {
  const pgdog = { databases: [{ name: 'app', host: 'x' }] };
  assert.deepEqual(check(pgdog, { users: [{ name: 'a', database: 'ap', password: 'p' }, { name: 'b', databases: ['app', 'other'], password: 'p' }] }), [
    'E_UNKNOWN_DATABASE /users/0/database',
    'E_UNKNOWN_DATABASE /users/1/databases/1',
  ]);
  assert.deepEqual(check(pgdog, { users: [{ name: 'a', database: 'app', password: 'p' }, { name: 'a', databases: ['app'], password: 'q' }] }), ['E_DUPLICATE_USER /users/1/name']);
  assert.deepEqual(check(pgdog, { users: [{ name: 'a', all_databases: true }] }), ['W_NO_PASSWORD /users/0']);
  assert.deepEqual(check({ ...pgdog, general: { auth_type: 'trust' } }, { users: [{ name: 'a' }] }), ['W_USER_NO_DATABASE /users/0', 'W_DATABASE_NO_USERS /databases/0/name']);
});

test('users without pgdog.toml: references are not judged', () => {
  assert.deepEqual(check(undefined, { users: [{ name: 'a', database: 'anything', password: 'p' }] }), []);
});

test('no users at all, unless passthrough auth creates them', () => {
  const pgdog = { databases: [{ name: 'app', host: 'x' }] };
  assert.deepEqual(check(pgdog, {}), ['W_NO_USERS ', 'W_DATABASE_NO_USERS /databases/0/name']);
  assert.deepEqual(check({ ...pgdog, general: { passthrough_auth: 'enabled' } }, {}), []);
});

test('no databases at all', () => {
  assert.deepEqual(check({ general: { port: 1 } }), ['W_NO_DATABASES ']);
  assert.deepEqual(check({ databases: [] }), ['W_NO_DATABASES ']);
});

test("pgDog's server_auth rules", () => {
  const users = { users: [{ name: 'a', database: 'app', password: 'p', server_auth: 'rds_iam' }] };
  const db = [{ name: 'app', host: 'x' }];
  assert.deepEqual(check({ databases: db, general: { passthrough_auth: 'enabled' } }, users), ['E_SERVER_AUTH_CONFLICT /users/0/server_auth']);
  assert.deepEqual(check({ databases: db, general: { tls_verify: 'disabled' } }, users), ['E_SERVER_AUTH_CONFLICT /users/0/server_auth']);
  assert.deepEqual(check({ databases: db }, users), []);
});
