// The golden corpus against PostgreSQL itself: for every case routed by a hashed sharding key to
// one shard, the key value the router extracted must satisfy PostgreSQL's own hash partition
// check for the expected shard (satisfies_hash_partition with MODULUS = the shard count). The
// expected shards in fixtures/queries were generated from PostgreSQL, not from route(); this
// keeps them honest, and the CLI tests check that route() agrees with them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PgClient, type PgServer } from '@pgdog/testing';
import { analyze, compileRoutingTable, loadConfig, loadSqlParser, parseRouteTests, route, type RoutingTable } from '../src/index.js';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/queries');
const PG_TYPE = { bigint: 'bigint', varchar: 'text', uuid: 'uuid' } as const;
let server: PgServer | undefined;
let client: PgClient | undefined;
let table: RoutingTable;

before(async () => {
  await loadSqlParser();
  const r = await loadConfig({ configPath: join(corpus, 'pgdog.toml'), usersPath: join(corpus, 'users.toml') });
  assert.ok(r.config);
  table = await compileRoutingTable(r.config);
  server = await startPostgres();
  client = await server.connect();
  for (const t of Object.values(PG_TYPE)) await client.query(`CREATE TABLE hp_${t} (k ${t}) PARTITION BY HASH (k)`);
});

after(async () => {
  await client?.end();
  await server?.destroy();
});

test('every single-shard hash route of the corpus agrees with satisfies_hash_partition', async () => {
  const pg: PgClient | undefined = client;
  assert.ok(pg);
  let checked = 0;
  for (const file of readdirSync(corpus).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = parseRouteTests(readFileSync(join(corpus, file), 'utf8'), file);
    assert.ok(parsed.ok, file);
    for (const c of parsed.cases) {
      const expected = c.expect.shards;
      if (!Array.isArray(expected) || expected.length !== 1) continue;
      const database = c.database ?? 'shop';
      const r = route(table, { database, user: c.user ?? 'shop', query: c.query, analysis: analyze(c.query), session: c.session, params: c.params === null ? undefined : { values: c.params } });
      if (r.key === null || r.key.hash === null || r.key.column === null || r.source !== 'sharding_key') continue;
      const db = table.databases.find((d) => d.name === database);
      assert.ok(db);
      const bare = r.key.table?.split('.').pop() ?? null;
      const entry = db.shardedTables.find((t) => t.column === r.key?.column && (t.name === null || t.name === bare));
      assert.ok(entry && entry.mapping === null, `${file}: ${c.query}`);
      const type = PG_TYPE[entry.dataType as keyof typeof PG_TYPE];
      const { rows }: { rows: { ok: boolean }[] } = await pg.query<{ ok: boolean }>(
        `SELECT satisfies_hash_partition('hp_${type}'::regclass, $1::int, $2::int, $3::${type}) AS ok`,
        [db.shards.length, expected[0], r.key.value],
      );
      assert.equal(rows[0].ok, true, `${file} case ${c.index}: ${c.query} -> ${r.key.value} on shard ${expected[0]} of ${db.shards.length}`);
      checked++;
    }
  }
  assert.ok(checked >= 60, `only ${checked} hash cases checked`);
});
