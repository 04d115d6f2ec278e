import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgdogSchema, usersSchema, validatePgdogToml, validateUsersToml } from '@pgdog/schemas';
import { foldCombinators, schemaFindings, type SchemaContext, type SchemaError } from '../src/config/schema-errors.js';
import { configDiagnostic } from '../src/errors.js';
import type { Finding } from '../src/config/finding.js';

type Schema = Record<string, unknown>;

function findings(kind: 'pgdog' | 'users', data: unknown): Finding[] {
  const validate = kind === 'pgdog' ? validatePgdogToml : validateUsersToml;
  assert.equal(validate(data), false, 'the document should be invalid');
  const ctx: SchemaContext = {
    file: kind,
    fileLabel: `${kind}.toml`,
    data,
    schema: (kind === 'pgdog' ? pgdogSchema : usersSchema) as Schema,
    otherSchema: (kind === 'pgdog' ? usersSchema : pgdogSchema) as Schema,
    otherLabel: kind === 'pgdog' ? 'users.toml' : 'pgdog.toml',
  };
  return schemaFindings(ctx, validate.errors as SchemaError[]);
}

function message(f: Finding): string {
  return configDiagnostic(f.code, { file: 'f', line: 1, column: 1, pointer: f.pointer }, f.params).message;
}

test('an unknown key names the allowed key it resembles', () => {
  const [f] = findings('pgdog', { general: { default_pool_sise: 3 } });
  assert.equal(f.code, 'E_UNKNOWN_KEY');
  assert.equal(f.pointer, '/general/default_pool_sise');
  assert.equal(f.anchor, 'key');
  assert.equal(f.hint, 'did you mean `default_pool_size`?');
  assert.equal(message(f), 'unknown key `default_pool_sise` in [general]');
});

test('unknown keys inside array items use the item schema for suggestions', () => {
  const [f] = findings('pgdog', { databases: [{ name: 'a', host: 'h', pool_sise: 3 }] });
  assert.equal(f.hint, 'did you mean `pool_size`?');
  assert.equal(message(f), 'unknown key `pool_sise` in [[databases]]');
});

test("a top-level section of the other file says where it belongs", () => {
  assert.equal(findings('pgdog', { users: [] })[0].hint, '`users` belongs in users.toml');
  assert.equal(findings('users', { databases: [] })[0].hint, '`databases` belongs in pgdog.toml');
});

test('small sections list their keys when nothing is close', () => {
  const [f] = findings('pgdog', { memory: { zzz: 1 } });
  assert.match(f.hint ?? '', /^allowed keys: message_buffer, net_buffer, stack_size$/);
});

test('type errors name the expected and the actual TOML type', () => {
  const [f] = findings('pgdog', { general: { port: '6432' } });
  assert.equal(f.code, 'E_TYPE');
  assert.equal(message(f), '`general.port` must be an integer, got a string ("6432")');
});

test('an anyOf of types folds into one error listing the types', () => {
  const fs = findings('pgdog', { sharded_tables: [{ database: 'a', column: 'c', mapping: [{ shard: 0, values: [true] }] }] });
  assert.equal(fs.length, 1);
  assert.equal(message(fs[0]), '`sharded_tables[0].mapping[0].values[0]` must be an integer or a string, got a boolean (true)');
});

test('an anyOf of choices folds into one enum error with a suggestion', () => {
  const fs = findings('pgdog', { query_rules: [{ name: 'r', match: 'select', route: 'replicas' }] });
  assert.equal(fs.length, 1);
  assert.equal(fs[0].code, 'E_ENUM');
  assert.equal(fs[0].hint, 'did you mean "replica"?');
  assert.match(message(fs[0]), /must be one of "primary", "replica", "all_shards", "block", shard:<number>; got "replicas"$/);
});

test('a wrong type for the whole property hides the combinator branches', () => {
  const fs = findings('pgdog', { query_rules: [{ name: 'r', match: 'select', route: 3 }] });
  assert.deepEqual(fs.map((f) => [f.code, f.pointer]), [['E_TYPE', '/query_rules/0/route']]);
});

test('enum, range, pattern, required, dependent keys', () => {
  const fs = findings('pgdog', {
    general: { pooler_mode: 'transactions', port: 0 },
    databases: [{ name: 'a', host: ' ' }, { name: 'b' }],
    sharded_tables: [{ database: 'a', column: 'c', mapping: [{ shard: 0, values: ['x'], end: 'y' }] }],
  });
  const got = fs.map((f) => [f.code, f.pointer, f.anchor]);
  assert.deepEqual(got.sort(), [
    ['E_ENUM', '/general/pooler_mode', 'value'],
    ['E_PATTERN', '/databases/0/host', 'value'],
    ['E_RANGE', '/general/port', 'value'],
    ['E_REQUIRED', '/databases/1/host', 'value'],
    ['E_SCHEMA', '/sharded_tables/0/mapping/0/end', 'key'],
  ]);
  const byCode = Object.fromEntries(fs.map((f) => [f.code, message(f)]));
  assert.equal(byCode.E_RANGE, '`general.port` must be at least 1; got 0');
  assert.equal(byCode.E_PATTERN, '`databases[0].host` must be a non-blank string; got " "');
  assert.equal(byCode.E_REQUIRED, 'missing required key `host` in [[databases]]');
  assert.equal(byCode.E_SCHEMA, '`sharded_tables[0].mapping[0].end` cannot be combined with `values` in the same table');
});

test('values of secret keys never appear in messages', () => {
  const fs = findings('users', { users: [{ name: 'a', password: 12345678, passwords: [98765], server_password: true }] });
  const text = fs.map(message).join('\n');
  assert.equal(fs.length, 3);
  assert.doesNotMatch(text, /12345678|98765|true/);
  assert.match(text, /`users\[0\]\.password` must be a string, got an integer$/m);
});

test('foldCombinators keeps errors outside combinators as they are', () => {
  const errors: SchemaError[] = [{ instancePath: '/a', schemaPath: '#/properties/a/type', keyword: 'type', params: { type: 'string' } }];
  assert.deepEqual(foldCombinators(errors), errors);
});

test('foldCombinators picks the branch that fits the type and has the fewest errors', () => {
  const c = '#/properties/x/oneOf';
  const errors: SchemaError[] = [
    { instancePath: '/x', schemaPath: `${c}/0/type`, keyword: 'type', params: { type: 'string' } },
    { instancePath: '/x', schemaPath: `${c}/1/required`, keyword: 'required', params: { missingProperty: 'a' } },
    { instancePath: '/x', schemaPath: `${c}/1/required`, keyword: 'required', params: { missingProperty: 'b' } },
    { instancePath: '/x/z', schemaPath: `${c}/2/properties/z/type`, keyword: 'type', params: { type: 'integer' } },
    { instancePath: '/x', schemaPath: c, keyword: 'oneOf', params: {} },
  ];
  assert.deepEqual(foldCombinators(errors), [errors[3]]);
});
