// The routing table of the golden corpus config (fixtures/queries), loaded as `pgdog compile` would:
// shared by the route() tests so they all exercise the same config.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRoutingTable, loadConfig, loadSqlParser, normalizeSql, parseRouteTests, type RouteTestCase, type RoutingTable } from '../../src/index.js';
import { LiteralKind } from '../../src/sql/literal-decode.js';

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

/**
 * A maker of literal siblings: the query with its integer, numeric and (half the time) plain
 * string literals replaced by other values drawn from `random`; null when it has none.
 */
export function literalSiblings(random: () => number): (query: string) => string | null {
  const int = (max: number): number => Math.floor(random() * max);
  return (query) => {
    const n = normalizeSql(query);
    if (n === null || n.starts.length === 0) return null;
    let out = '';
    let from = 0;
    for (let k = 0; k < n.starts.length; k++) {
      const kind = n.kinds[k];
      let value: string | null = null;
      if (kind === LiteralKind.Int) value = String(int(4) === 0 ? int(2147483647) : int(1000));
      else if (kind === LiteralKind.BigInt) value = String(2147483648 + int(1e9));
      else if (kind === LiteralKind.Numeric) value = `${int(100)}.${int(10)}`;
      else if (kind === LiteralKind.String && random() < 0.5) value = `'v${int(1000)}'`;
      if (value === null) continue;
      out += query.slice(from, n.starts[k]) + value;
      from = n.ends[k];
    }
    return out + query.slice(from);
  };
}
