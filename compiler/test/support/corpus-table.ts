// The routing table of the golden corpus config (fixtures/queries), loaded as `pgdog compile` would:
// shared by the route() tests so they all exercise the same config.
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRoutingTable, loadConfig, loadSqlParser, type RoutingTable } from '../../src/index.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures');

/** Loads the SQL parser and compiles fixtures/queries/pgdog.toml + users.toml. */
export async function corpusRoutingTable(): Promise<RoutingTable> {
  await loadSqlParser();
  const r = await loadConfig({ configPath: join(fixtures, 'queries/pgdog.toml'), usersPath: join(fixtures, 'queries/users.toml') });
  assert.ok(r.config, JSON.stringify(r.errors));
  return compileRoutingTable(r.config);
}
