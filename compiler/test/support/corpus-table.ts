// The routing table of the golden corpus config (fixtures/queries), loaded as `pgdog compile` would:
// shared by the route() tests so they all exercise the same config.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRoutingTable, loadConfig, loadSqlParser, parseRouteTests, type RouteTestCase, type RoutingTable } from '../../src/index.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures');

/** Loads the SQL parser and compiles fixtures/queries/pgdog.toml + users.toml. */
export async function corpusRoutingTable(): Promise<RoutingTable> {
  await loadSqlParser();
  const r = await loadConfig({ configPath: join(fixtures, 'queries/pgdog.toml'), usersPath: join(fixtures, 'queries/users.toml') });
  assert.ok(r.config, JSON.stringify(r.errors));
  return compileRoutingTable(r.config);
}

/** Every case of the corpus files (fixtures/queries/*.json), file by file in name order. */
export function corpusCases(): RouteTestCase[] {
  const dir = join(fixtures, 'queries');
  const cases: RouteTestCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = parseRouteTests(readFileSync(join(dir, file), 'utf8'), file);
    assert.ok(parsed.ok, file);
    cases.push(...parsed.cases);
  }
  return cases;
}
