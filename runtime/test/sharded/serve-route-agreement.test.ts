// Issue 7 acceptance: `pgdog route` and `pgdog serve` agree on where every query of the golden
// corpus (fixtures/queries/*.json) goes. route() is the compiler's, on the same config serve runs.
//
// How serve is observed (independent of how serve may later report its routes): every shard is
// its own database on one PostgreSQL server that logs each statement with its database name
// (support/statement-log.ts). For each case a fresh client reproduces the case's session
// (user, application_name, BEGIN [READ ONLY], SET pgdog.* hints), the log is marked, the query is
// sent (extended protocol with its parameters, simple protocol otherwise; a COPY FROM STDIN gets
// an empty CopyDone), and the databases that logged a statement are the shards it went to.
// - A routed statement must reach exactly route().shards ('all' = every shard of the database).
// - A blocked one must reach no shard and give the client an error.
// - A query made only of SET / RESET / SHOW / transaction control / nothing may be answered by
//   pgdog itself: it must reach no shard outside route().shards.
// Replica entries of the corpus config are left out, so roles are not compared, only shards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, compileRoutingTable, loadConfig, loadSqlParser, parseRouteTests, route, type RouteTestCase, type RoutingTable } from '@pgdog/compiler';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { CORPUS_SCHEMA, localCorpusConfig, shardDatabases } from './support/corpus-config.js';
import { firstError, RawClient } from './support/raw-client.js';
import { startPgdogFromToml, type ShardedPgdog } from './support/sharded-pgdog.js';
import { STATEMENT_LOG_SETTINGS, StatementLog } from './support/statement-log.js';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/queries');
const DEFAULT_USER: Record<string, string> = { shop: 'shop', ledger: 'ledger', analytics: 'analyst' };
let server: PgServer;
let pgdog: ShardedPgdog | null = null;
let table: RoutingTable;
let shardsOf: Map<string, string[]>;
let log: StatementLog;

before(async () => {
  await loadSqlParser();
  const usersToml = readFileSync(join(corpus, 'users.toml'), 'utf8');
  const users = [...usersToml.matchAll(/^name\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!);
  server = await startPostgres({ users: users.map((name) => ({ name, auth: 'trust' as const, superuser: true })), settings: STATEMENT_LOG_SETTINGS });
  const local = localCorpusConfig(readFileSync(join(corpus, 'pgdog.toml'), 'utf8'), server.port);
  shardsOf = shardDatabases(local);
  for (const [logical, dbs] of shardsOf) {
    for (const db of dbs) {
      await server.createDatabase(db);
      for (const ddl of CORPUS_SCHEMA[logical] ?? []) await server.query(ddl, [], { database: db });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-agree-'));
  try {
    writeFileSync(join(dir, 'pgdog.toml'), local);
    writeFileSync(join(dir, 'users.toml'), usersToml);
    const loaded = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
    assert.ok(loaded.config, JSON.stringify(loaded.errors));
    table = await compileRoutingTable(loaded.config);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  pgdog = await startPgdogFromToml(local, usersToml);
  log = new StatementLog(server);
});

after(async () => {
  await pgdog?.stop();
  await stopAll();
});

function cases(): RouteTestCase[] {
  return readdirSync(corpus).filter((f) => f.endsWith('.json')).sort().flatMap((file) => {
    const parsed = parseRouteTests(readFileSync(join(corpus, file), 'utf8'), file);
    assert.ok(parsed.ok, file);
    return parsed.cases;
  });
}

const q = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Runs one case through pgdog; returns the shard databases that received it and the error. */
async function serve(c: RouteTestCase, database: string): Promise<{ dbs: Set<string>; error: string | null }> {
  const params: Record<string, string> = c.session.applicationName === undefined ? {} : { application_name: c.session.applicationName };
  const client = await RawClient.connect(pgdog!.port, c.user ?? DEFAULT_USER[database]!, database, params);
  try {
    const setup: string[] = [];
    if (c.session.inTransaction) setup.push(c.session.transactionReadOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    const h = c.session.hints;
    if (h?.shard != null) setup.push(`SET pgdog.shard TO ${h.shard}`);
    if (h?.shardingKey != null) setup.push(`SET pgdog.sharding_key TO ${q(h.shardingKey)}`);
    if (h?.role != null) setup.push(`SET pgdog.role TO ${q(h.role)}`);
    for (const s of setup) assert.equal(firstError(await client.simple(s)), null, `session setup: ${s}`);
    log.mark();
    const frames = c.params === null ? await client.simple(c.query) : await client.extended(c.query, c.params);
    return { dbs: log.databasesSinceMark(c.query), error: firstError(frames)?.M ?? null };
  } finally {
    client.close();
  }
}

const NEUTRAL = new Set(['set', 'transaction']);

/** For an INSERT without a column list: its table's columns in order on `db`, as route() takes them. */
async function liveColumns(query: string, db: string): Promise<ReadonlyMap<string, readonly string[]> | undefined> {
  const a = analyze(query);
  const info = a.ok && a.statements.length === 1 ? a.statements[0]!.insert : null;
  if (info === null || info.columns !== null) return undefined;
  const key = info.table.schema === null ? info.table.name : `${info.table.schema}.${info.table.name}`;
  const rows = await server.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [key], { database: db });
  return rows.length === 0 ? undefined : new Map([[key, rows.map((r) => r.attname)]]);
}

test('pgdog serve sends every corpus query where route() says', async () => {
  const all = cases();
  assert.ok(all.length >= 200, `${all.length} cases`);
  const failures: string[] = [];
  for (const c of all) {
    const database = c.database ?? 'shop';
    const user = c.user ?? DEFAULT_USER[database]!;
    // serve reads the live column order for an INSERT without a column list; the dry run is
    // given the same order here, as `pgdog route` would need it from the schema.
    const tableColumns = await liveColumns(c.query, shardsOf.get(database)![0]!);
    const r = route(table, { database, user, query: c.query, analysis: analyze(c.query), session: c.session, params: c.params === null ? undefined : { values: c.params }, tableColumns });
    const dbs = shardsOf.get(database)!;
    const routed = r.blocked !== null ? [] : r.shards === 'all' ? dbs : r.shards.map((s) => dbs[s]!);
    const got = await serve(c, database);
    const seen = [...got.dbs].sort();
    const expected = [...routed].sort();
    const analysis = analyze(c.query);
    const neutral = analysis.ok && analysis.statements.every((s) => NEUTRAL.has(s.kind) || s.node === 'VariableShowStmt');
    let problem: string | null = null;
    if (r.blocked !== null && got.error === null) problem = 'blocked by route() but no error from serve';
    else if (neutral ? !seen.every((d) => expected.includes(d)) : JSON.stringify(seen) !== JSON.stringify(expected)) {
      problem = `route() -> [${expected.join(', ')}], serve -> [${seen.join(', ')}]${got.error === null ? '' : ` (error: ${got.error})`}`;
    }
    if (problem !== null) failures.push(`case ${c.index} (${database}/${user}${c.session.applicationName ? `, app ${c.session.applicationName}` : ''}): ${c.query.replace(/\s+/g, ' ')}\n    ${problem}`);
  }
  assert.equal(failures.length, 0, `${failures.length} of ${all.length} corpus queries disagree:\n  ${failures.slice(0, 30).join('\n  ')}`);
});
