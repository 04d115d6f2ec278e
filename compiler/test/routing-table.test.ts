// The routing table artifact: deterministic bytes, valid against routes.schema.json, no secrets,
// and strict loading of what a file may hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateRoutesJson } from '@pgdog/schemas';
import {
  checkRoutingTable, compileRoutingTable, isRoutingTableCurrent, loadConfig, parseRoutingTable, stringifyRoutingTable,
  type RoutingTable,
} from '../src/index.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');

async function compileFixture(dir: string): Promise<{ table: RoutingTable; text: string }> {
  const r = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
  assert.deepEqual(r.errors, []);
  assert.ok(r.config);
  const table = await compileRoutingTable(r.config);
  return { table, text: stringifyRoutingTable(table) };
}

test('the same files give byte-identical tables, also from another directory', async () => {
  const a = await compileFixture(join(fixtures, 'valid/sharded'));
  const b = await compileFixture(join(fixtures, 'valid/sharded'));
  assert.equal(a.text, b.text);
  const copy = mkdtempSync(join(tmpdir(), 'pgdog-routes-'));
  copyFileSync(join(fixtures, 'valid/sharded/pgdog.toml'), join(copy, 'pgdog.toml'));
  copyFileSync(join(fixtures, 'valid/sharded/users.toml'), join(copy, 'users.toml'));
  assert.equal((await compileFixture(copy)).text, a.text);
});

test('every fixture table validates against routes.schema.json and loads back unchanged', async () => {
  for (const dir of ['valid/sharded', 'valid/replicated', 'quickstart', 'queries']) {
    const { table, text } = await compileFixture(join(fixtures, dir));
    assert.equal(validateRoutesJson(JSON.parse(text)), true, `${dir}: ${JSON.stringify(validateRoutesJson.errors)}`);
    const loaded = parseRoutingTable(text);
    assert.ok(loaded.ok, dir);
    assert.equal(stringifyRoutingTable(loaded.table), text);
    assert.ok(isRoutingTableCurrent(loaded.table, table.sources.config.sha256, table.sources.users.sha256));
    assert.equal(isRoutingTableCurrent(loaded.table, table.sources.config.sha256, '0'.repeat(64)), false);
  }
});

test('the table holds topology, tables, rules and settings, and no password', async () => {
  const { table, text } = await compileFixture(join(fixtures, 'queries'));
  assert.equal(table.version, 1);
  assert.deepEqual(table.sources.config.file, 'pgdog.toml');
  assert.deepEqual(table.databases.map((d) => [d.name, d.shards.length]), [['shop', 3], ['ledger', 2], ['analytics', 1]]);
  const shop = table.databases[0];
  assert.deepEqual(shop.shards[0].hosts, [
    { role: 'primary', host: '10.0.1.10', port: 5432, databaseName: 'shop_0' },
    { role: 'replica', host: '10.0.1.11', port: 5432, databaseName: 'shop_0' },
  ]);
  const invoices = shop.shardedTables.find((t) => t.name === 'invoices');
  assert.deepEqual(invoices?.mapping?.ranges, [
    { start: '0', end: '1000000', shard: 0 },
    { start: '1000000', end: '2000000', shard: 1 },
    { start: '2000000', end: '9223372036854775807', shard: 2 },
  ]);
  assert.deepEqual(shop.omnishardedTables.map((t) => [t.schema, t.name]), [[null, 'countries'], [null, 'currencies'], ['public', 'tax_rates']]);
  assert.deepEqual(table.databases[1].shardedTables, [{ schema: null, name: null, column: 'tenant_id', dataType: 'bigint', hasher: 'postgres', mapping: null }]);
  assert.deepEqual(table.rules.map((r) => r.route.kind), ['block', 'block', 'shard', 'all_shards', 'replica', 'primary']);
  assert.deepEqual(table.users, [{ name: 'strict', databases: ['shop'], crossShardDisabled: true }]);
  assert.equal(table.general.readWriteSplit, 'include_primary');
  for (const secret of ['shop-password', 'strict-password', 'ledger-password', 'analyst-password', 'reporting-password']) {
    assert.equal(text.includes(secret), false, secret);
  }
  assert.doesNotMatch(text, /password/i);
});

test('loading rejects other versions, schema violations, misnumbered shards and bad rules', async () => {
  const { text } = await compileFixture(join(fixtures, 'valid/sharded'));
  const good = JSON.parse(text);
  const bad = (mutate: (t: any) => void): string[] => {
    const t = structuredClone(good);
    mutate(t);
    const r = checkRoutingTable(t);
    assert.equal(r.ok, false);
    return r.ok ? [] : r.errors;
  };
  assert.match(bad((t) => (t.version = 2)).join(), /unsupported routing table version 2/);
  assert.match(bad((t) => (t.databases[0].shards[0].hosts[0].password = 'x')).join(), /must NOT have additional properties/);
  assert.match(bad((t) => (t.databases[0].shards[1].shard = 5)).join(), /shard 5 at position 1/);
  assert.match(bad((t) => (t.rules[0].expr = { type: 'flag', flag: 'selects' })).join(), /rules\/0/);
  assert.match(bad((t) => (t.databases[0].shardedTables[4].mapping.list[0][0] = 7)).join(), /list/);
  const broken = parseRoutingTable(text.slice(0, 100));
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : broken.errors[0], /^not JSON/);
});

test('a table written by compile can be read back after the files change (it is then stale)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-routes-'));
  copyFileSync(join(fixtures, 'valid/sharded/pgdog.toml'), join(dir, 'pgdog.toml'));
  copyFileSync(join(fixtures, 'valid/sharded/users.toml'), join(dir, 'users.toml'));
  const before = await compileFixture(dir);
  writeFileSync(join(dir, 'pgdog.toml'), `${readFileSync(join(dir, 'pgdog.toml'), 'utf8')}\n# changed\n`);
  const after = await compileFixture(dir);
  assert.equal(isRoutingTableCurrent(before.table, after.table.sources.config.sha256, after.table.sources.users.sha256), false);
  assert.notEqual(before.table.sources.config.sha256, after.table.sources.config.sha256);
});
