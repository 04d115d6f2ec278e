import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgdogSchema, usersSchema } from '../src/index.js';
import { walkSchema, deref } from './schema-walk.js';

type Schema = { [k: string]: unknown };
const files: [string, Schema][] = [
  ['pgdog.schema.json', pgdogSchema as Schema],
  ['users.schema.json', usersSchema as Schema],
];

for (const [file, schema] of files) {
  test(`${file}: draft 2020-12 header`, () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.match(String(schema.$id), /^https:\/\/.+\/[a-z]+\.schema\.json$/);
    assert.equal(typeof schema.title, 'string');
  });

  test(`${file}: every subschema at every depth has a description`, () => {
    const missing: string[] = [];
    walkSchema(schema, (s, path) => {
      if (typeof s.description !== 'string' || s.description.trim().length < 3) missing.push(path);
    });
    assert.deepEqual(missing, []);
  });

  test(`${file}: every object with properties rejects unknown keys`, () => {
    const open: string[] = [];
    let objects = 0;
    walkSchema(schema, (s, path, parent) => {
      if (s.properties === undefined || parent === 'dependentSchemas') return;
      objects++;
      if (s.additionalProperties !== false) open.push(path);
    });
    assert.ok(objects > 1);
    assert.deepEqual(open, []);
  });

  test(`${file}: every property has a type, an enum, a $ref or alternatives`, () => {
    const untyped: string[] = [];
    walkSchema(schema, (s, path, parent) => {
      if (parent !== 'properties' || path.includes('/dependentSchemas/')) return;
      if (s.type === undefined && s.$ref === undefined && s.enum === undefined && s.anyOf === undefined) untyped.push(path);
    });
    assert.deepEqual(untyped, []);
  });

  test(`${file}: sections without required keys default to {} and table arrays to []`, () => {
    const props = schema.properties as Record<string, Schema>;
    // replica_lag is the exception: in pgDog its presence turns lag checks on.
    const presenceMeansEnabled = new Set(['replica_lag']);
    for (const [key, raw] of Object.entries(props)) {
      const section = deref(schema, raw);
      if (section.type === 'array') assert.deepEqual(raw.default, [], `${key} default`);
      if (section.type === 'object' && section.required === undefined && !presenceMeansEnabled.has(key)) {
        assert.deepEqual(raw.default, {}, `${key} default`);
      }
    }
  });
}

test('[admin] is defined identically in both files', () => {
  const defs = (s: Schema) => s.$defs as Record<string, Schema>;
  assert.deepEqual(defs(usersSchema as Schema).Admin, defs(pgdogSchema as Schema).Admin);
  assert.deepEqual(defs(usersSchema as Schema).PoolerMode, defs(pgdogSchema as Schema).PoolerMode);
});

test('[[servers]] and [[databases]] share one item schema', () => {
  const props = (pgdogSchema as Schema).properties as Record<string, Schema>;
  assert.deepEqual(props.servers.items, { $ref: '#/$defs/Database', description: 'One PostgreSQL host.' });
  assert.deepEqual(props.databases.items, props.servers.items);
});

test('no default is an i64::MAX sentinel', () => {
  const huge: string[] = [];
  for (const [, schema] of files) {
    walkSchema(schema, (s, path) => {
      if (typeof s.default === 'number' && s.default > 2 ** 40) huge.push(path);
    });
  }
  assert.deepEqual(huge, []);
});
