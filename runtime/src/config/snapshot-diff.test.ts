import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';
import { buildSnapshot, type RuntimeSnapshot } from './snapshot.js';
import { deepEqual, planReload, type GroupSlot, type PoolSlot } from './snapshot-diff.js';

async function snapshotOf(pgdogToml: string, usersToml: string): Promise<RuntimeSnapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-diff-'));
  try {
    writeFileSync(join(dir, 'pgdog.toml'), pgdogToml);
    writeFileSync(join(dir, 'users.toml'), usersToml);
    const r = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
    assert.ok(r.config, JSON.stringify(r.errors, null, 2));
    return buildSnapshot(r.config);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GENERAL = '[general]\nhost = "127.0.0.1"\nport = 6432\ndefault_pool_size = 5\n';
const DATABASES = `
[[databases]]
name = "app"
host = "10.0.0.1"
port = 5432

[[databases]]
name = "app"
host = "10.0.0.2"
port = 5432
role = "replica"

[[databases]]
name = "reports"
host = "10.0.0.3"
`;
const USERS = `
[[users]]
name = "alice"
password = "a-secret"
server_password = "pg"
database = "app"

[[users]]
name = "bob"
password = "b-secret"
all_databases = true
`;

const POOLS: PoolSlot[] = [
  { user: 'alice', database: 'app', shard: 0, host: 0 },
  { user: 'alice', database: 'app', shard: 0, host: 1 },
  { user: 'bob', database: 'app', shard: 0, host: 0 },
  { user: 'bob', database: 'app', shard: 0, host: 1 },
  { user: 'bob', database: 'reports', shard: 0, host: 0 },
];
const GROUPS: GroupSlot[] = [
  { database: 'app', shard: 0 },
  { database: 'reports', shard: 0 },
];

describe('planReload', () => {
  it('keeps everything when nothing changed', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL + DATABASES, USERS);
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.keepPools, [0, 1, 2, 3, 4]);
    assert.deepEqual(plan.drainPools, []);
    assert.deepEqual(plan.keepGroups, [0, 1]);
    assert.equal(plan.unchanged, true);
    assert.deepEqual(plan.restartRequired, []);
  });

  it('a client password change drains no pool (server_password is set); the user is reported changed, by name only', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL + DATABASES, USERS.replace('a-secret', 'a-new-secret'));
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.drainPools, []);
    assert.deepEqual(plan.summary.usersChanged, ['alice']);
    assert.ok(!JSON.stringify(plan).includes('secret'), 'no password in the plan');
  });

  it('a password that is also the server password drains that user\'s pools only', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL + DATABASES, USERS.replace('b-secret', 'b-other'));
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.drainPools, [2, 3, 4]);
    assert.deepEqual(plan.keepPools, [0, 1]);
    assert.deepEqual(plan.summary.poolsDrained, ['bob@app', 'bob@app host 1', 'bob@reports']);
    // Groups holding a drained pool are rebuilt around the pools that stay.
    assert.deepEqual(plan.replaceGroups, [0, 1]);
  });

  it('a pool size on one database drains that database\'s pools, and a general pool size all of them', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL + DATABASES.replace('host = "10.0.0.3"', 'host = "10.0.0.3"\npool_size = 9'), USERS);
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.drainPools, [4]);
    assert.deepEqual(plan.keepGroups, [0]);
    assert.deepEqual(plan.summary.databasesChanged, ['reports']);
    const c = await snapshotOf(GENERAL.replace('default_pool_size = 5', 'default_pool_size = 6') + DATABASES, USERS);
    const all = planReload(a, c, POOLS, GROUPS);
    assert.deepEqual(all.drainPools, [0, 1, 2, 3, 4]);
    assert.deepEqual(all.summary.generalChanged, ['default_pool_size']);
  });

  it('a moved replica drains only the pools of that host', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL + DATABASES.replace('10.0.0.2', '10.0.0.9'), USERS);
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.drainPools, [1, 3]);
    assert.deepEqual(plan.keepPools, [0, 2, 4]);
    assert.deepEqual(plan.replaceGroups, [0]);
  });

  it('removed users and databases drain their pools', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const noReports = DATABASES.slice(0, DATABASES.indexOf('[[databases]]\nname = "reports"'));
    const b = await snapshotOf(GENERAL + noReports, USERS.slice(0, USERS.indexOf('[[users]]\nname = "bob"')));
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.drainPools, [2, 3, 4]);
    assert.deepEqual(plan.summary.usersRemoved, ['bob']);
    assert.deepEqual(plan.summary.databasesRemoved, ['reports']);
    assert.deepEqual(plan.replaceGroups, [0, 1]);
  });

  it('a balancing change rebuilds the groups but keeps every pool', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL + 'load_balancing_strategy = "round_robin"\n' + DATABASES, USERS);
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.drainPools, []);
    assert.deepEqual(plan.replaceGroups, [0, 1]);
  });

  it('listen address and log format changes need a restart, unless a flag overrides the address', async () => {
    const a = await snapshotOf(GENERAL + DATABASES, USERS);
    const b = await snapshotOf(GENERAL.replace('6432', '6433').replace('127.0.0.1', '0.0.0.0') + 'log_format = "json"\n' + DATABASES, USERS);
    const plan = planReload(a, b, POOLS, GROUPS);
    assert.deepEqual(plan.restartRequired, [
      'general.host changed: takes effect after a restart',
      'general.port changed: takes effect after a restart',
      'general.log_format changed: takes effect after a restart',
    ]);
    assert.deepEqual(plan.drainPools, []);
    const flagged = planReload(a, b, POOLS, GROUPS, { port: 7000, host: '127.0.0.1' });
    assert.deepEqual(flagged.restartRequired, ['general.log_format changed: takes effect after a restart']);
  });
});

describe('deepEqual', () => {
  it('compares plain data, treating undefined properties as absent', () => {
    assert.equal(deepEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }), true);
    assert.equal(deepEqual({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(deepEqual({ a: 1 }, { a: 2 }), false);
    assert.equal(deepEqual([1, 2], [1, 2, 3]), false);
    assert.equal(deepEqual([], {}), false);
    assert.equal(deepEqual(null, {}), false);
  });
});
