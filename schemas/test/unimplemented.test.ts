import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgdogSchema, usersSchema, unimplementedKeys } from '../src/index.js';
import { deref } from './schema-walk.js';

type Schema = { [k: string]: unknown };

/** Resolves an instance pointer (`*` = any array index) to the schema of that key, or throws. */
function schemaAt(root: Schema, pointer: string): Schema {
  let s = root;
  for (const seg of pointer.split('/').slice(1)) {
    s = deref(root, s);
    if (seg === '*') {
      assert.equal(s.type, 'array', `${pointer}: * on a non-array`);
      s = s.items as Schema;
    } else {
      const props = s.properties as Record<string, Schema> | undefined;
      assert.ok(props && Object.hasOwn(props, seg), `${pointer}: no property ${seg}`);
      s = props[seg];
    }
  }
  return deref(root, s);
}

test('unimplemented.json is not empty and has no duplicates', () => {
  assert.ok(unimplementedKeys.length > 50);
  const keys = unimplementedKeys.map((k) => `${k.file}:${k.pointer}`);
  assert.equal(new Set(keys).size, keys.length);
});

test('every unimplemented pointer resolves to a schema property', () => {
  for (const entry of unimplementedKeys) {
    assert.ok(entry.file === 'pgdog' || entry.file === 'users', entry.pointer);
    assert.match(entry.pointer, /^(\/([a-z_0-9]+|\*))+$/);
    assert.ok(entry.reason.length > 10, `${entry.pointer}: reason`);
    const schema = schemaAt((entry.file === 'pgdog' ? pgdogSchema : usersSchema) as Schema, entry.pointer);
    assert.equal(typeof schema.description, 'string');
  }
});

test('unimplemented values are values of the key\'s enum, never all of them', () => {
  const withValues = unimplementedKeys.filter((k) => k.values !== undefined);
  assert.ok(withValues.length > 3);
  for (const entry of withValues) {
    const schema = schemaAt((entry.file === 'pgdog' ? pgdogSchema : usersSchema) as Schema, entry.pointer);
    const allowed = schema.enum as string[];
    assert.ok(Array.isArray(allowed), `${entry.pointer} has an enum`);
    for (const v of entry.values ?? []) assert.ok(allowed.includes(v), `${entry.pointer}: ${v}`);
    assert.ok((entry.values ?? []).length < allowed.length, `${entry.pointer}: some value must remain usable`);
  }
});

test('the schema pointer walker rejects keys that do not exist', () => {
  assert.throws(() => schemaAt(pgdogSchema as Schema, '/general/no_such_key'));
  assert.throws(() => schemaAt(pgdogSchema as Schema, '/general/*'));
  assert.doesNotThrow(() => schemaAt(pgdogSchema as Schema, '/servers/*/role'));
});

test('keys the product implements are not listed', () => {
  const listed = new Set(unimplementedKeys.filter((k) => k.values === undefined).map((k) => `${k.file}:${k.pointer}`));
  for (const key of ['/general/default_pool_size', '/general/pooler_mode', '/general/load_balancing_strategy', '/databases/*/host', '/query_rules', '/general/workers', '/omnisharded_tables', '/sharded_tables']) {
    assert.ok(!listed.has(`pgdog:${key}`), key);
  }
  for (const key of ['/users/*/password_hash', '/users/*/server_user', '/users/*/pool_size']) assert.ok(!listed.has(`users:${key}`), key);
});
