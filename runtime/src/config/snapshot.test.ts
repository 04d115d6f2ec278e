import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';
import { buildSnapshot, type RuntimeSnapshot } from './snapshot.js';

/** The real loader fills the defaults, so the snapshot sees what `pgdog serve` would. */
async function snapshotOf(pgdogToml: string, usersToml: string): Promise<RuntimeSnapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-snapshot-'));
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

const SHOP = `
[general]
default_pool_size = 10
min_pool_size = 2
checkout_timeout = 1234
query_timeout = 9000
tls_verify = "disabled"

[[databases]]
name = "shop"
host = "10.0.0.1"
port = 5433
pool_size = 7
pool_size_replica = 4
statement_timeout = 1000

[[databases]]
name = "shop"
host = "10.0.0.2"
role = "replica"
database_name = "shop_ro"
read_only = true

[[databases]]
name = "shop"
host = "10.0.0.9"
resharding_only = true
role = "replica"

[[databases]]
name = "metrics"
host = "10.0.0.3"
user = "metrics_owner"
password = "from-pgdog-toml"
`;

const USERS = `
[[users]]
name = "alice"
database = "shop"
password = "a1"
pool_size = 3
lock_timeout = 50
pooler_mode = "session"

[[users]]
name = "alice"
database = "metrics"
password = "a2"
server_user = "alice_srv"
server_password = "a2-srv"

[[users]]
name = "bob"
databases = ["shop"]
passwords = ["old", "new"]

[[users]]
name = "carol"
all_databases = true
password_hash = "SCRAM-SHA-256$4096:c2FsdA==$dGVzdA==:dGVzdA=="
idle_timeout = 500
`;

describe('buildSnapshot', () => {
  it('groups hosts into databases, shards and roles; resharding-only hosts serve nobody', async () => {
    const s = await snapshotOf(SHOP, USERS);
    const shop = s.databases.get('shop');
    assert.ok(shop);
    assert.equal(shop.shards.length, 1);
    const { primary, replicas } = shop.shards[0];
    assert.deepEqual([primary?.host, primary?.port, primary?.databaseName, primary?.role], ['10.0.0.1', 5433, 'shop', 'primary']);
    assert.deepEqual(replicas.map((r) => [r.host, r.port, r.databaseName, r.role]), [['10.0.0.2', 5432, 'shop_ro', 'replica']]);
    assert.deepEqual([...s.databases.keys()].sort(), ['metrics', 'shop']);
  });

  it('finds the users.toml entry for a (user, database) pair via database, databases or all_databases', async () => {
    const s = await snapshotOf(SHOP, USERS);
    assert.equal(s.users.get('alice')?.length, 2);
    assert.equal(s.userFor('alice', 'shop')?.password, 'a1');
    assert.equal(s.userFor('alice', 'metrics')?.password, 'a2');
    assert.deepEqual(s.userFor('bob', 'shop')?.passwords, ['old', 'new']);
    assert.equal(s.userFor('bob', 'metrics'), null);
    assert.match(s.userFor('carol', 'metrics')?.passwordHash ?? '', /^SCRAM-SHA-256\$/);
    assert.equal(s.userFor('mallory', 'shop'), null);
    assert.equal(s.userFor('carol', 'nope'), null);
  });

  it('resolves pool settings with user > database entry > general, role variants first', async () => {
    const s = await snapshotOf(SHOP, USERS);
    const alice = s.poolSettings('alice', 'shop');
    assert.ok(alice);
    assert.deepEqual(alice.key, { user: 'alice', database: 'shop', shard: 0, role: 'primary' });
    assert.equal(alice.poolSize, 3); // user
    assert.equal(alice.poolerMode, 'session'); // user
    assert.equal(alice.minPoolSize, 2); // general
    assert.deepEqual(alice.startupParams, { statement_timeout: '1000', lock_timeout: '50' });
    const bob = s.poolSettings('bob', 'shop');
    assert.equal(bob?.poolSize, 7); // database entry
    assert.equal(bob?.poolerMode, 'transaction'); // general default
    const bobReplica = s.poolSettings('bob', 'shop', 0, 'replica');
    assert.equal(bobReplica?.poolSize, 4); // pool_size_replica, set on another entry of the cluster
    assert.equal(bobReplica?.databaseName, 'shop_ro');
    assert.deepEqual(bobReplica?.startupParams, { default_transaction_read_only: 'on' });
    const carol = s.poolSettings('carol', 'metrics');
    assert.equal(carol?.poolSize, 10); // general
    assert.equal(carol?.idleTimeoutMs, 500);
    assert.equal(alice.idleTimeoutMs, 60_000);
    assert.equal(alice.checkoutTimeoutMs, 1234);
    assert.equal(alice.queryTimeoutMs, 9000);
    assert.equal(alice.connectTimeoutMs, 5000);
    assert.equal(alice.rollbackTimeoutMs, 5000);
    assert.equal(alice.serverLifetimeMs, 86_400_000);
    assert.equal(alice.tls.mode, 'disabled');
  });

  it('server credentials: pgdog.toml user/password, else server_user/server_password, else the client\'s own', async () => {
    const s = await snapshotOf(SHOP, USERS);
    const alice = s.poolSettings('alice', 'shop');
    assert.deepEqual([alice?.serverUser, alice?.serverPasswords], ['alice', ['a1']]);
    const bob = s.poolSettings('bob', 'shop');
    assert.deepEqual([bob?.serverUser, bob?.serverPasswords], ['bob', ['old', 'new']]);
    const aliceMetrics = s.poolSettings('alice', 'metrics');
    assert.deepEqual([aliceMetrics?.serverUser, aliceMetrics?.serverPasswords], ['metrics_owner', ['from-pgdog-toml']]);
    const carol = s.poolSettings('carol', 'shop');
    assert.deepEqual([carol?.serverUser, carol?.serverPasswords], ['carol', []]);
  });

  it('no settings for a database the user may not use, or a shard/role without hosts', async () => {
    const s = await snapshotOf(SHOP, USERS);
    assert.equal(s.poolSettings('bob', 'metrics'), null);
    assert.equal(s.poolSettings('alice', 'shop', 1), null);
    assert.equal(s.poolSettings('alice', 'metrics', 0, 'replica'), null);
    assert.equal(s.poolSettings('nobody', 'shop'), null);
  });

  it('lists every pool the config allows', async () => {
    const s = await snapshotOf(SHOP, USERS);
    const keys = s.poolKeys().map((k) => `${k.user}/${k.database}/${k.shard}/${k.role}`).sort();
    assert.deepEqual(keys, [
      'alice/metrics/0/primary',
      'alice/shop/0/primary',
      'alice/shop/0/replica',
      'bob/shop/0/primary',
      'bob/shop/0/replica',
      'carol/metrics/0/primary',
      'carol/shop/0/primary',
      'carol/shop/0/replica',
    ]);
  });

  it('min_pool_size never exceeds pool_size', async () => {
    const s = await snapshotOf('[general]\nmin_pool_size = 8\n[[databases]]\nname = "d"\nhost = "h"\npool_size = 3\n', '[[users]]\nname = "u"\ndatabase = "d"\npassword = "p"\n');
    assert.equal(s.poolSettings('u', 'd')?.minPoolSize, 3);
  });

  it('places auto hosts: primary when the shard has no explicit one, replica otherwise', async () => {
    const s = await snapshotOf(
      '[[databases]]\nname = "a"\nhost = "h1"\nrole = "auto"\n[[databases]]\nname = "a"\nhost = "h2"\nrole = "auto"\n' +
        '[[databases]]\nname = "b"\nhost = "h3"\nrole = "auto"\n[[databases]]\nname = "b"\nhost = "h4"\n',
      '[[users]]\nname = "u"\nall_databases = true\npassword = "p"\n',
    );
    const a = s.databases.get('a')?.shards[0];
    assert.deepEqual([a?.primary?.host, a?.replicas.map((r) => r.host)], ['h1', ['h2']]);
    const b = s.databases.get('b')?.shards[0];
    assert.deepEqual([b?.primary?.host, b?.replicas.map((r) => r.host)], ['h4', ['h3']]);
  });

  it('is frozen', async () => {
    const s = await snapshotOf(SHOP, USERS);
    const settings = s.poolSettings('alice', 'shop');
    assert.ok(Object.isFrozen(s) && Object.isFrozen(settings) && Object.isFrozen(settings?.startupParams) && Object.isFrozen(settings?.hosts));
    assert.ok(Object.isFrozen(s.databases.get('shop')?.shards[0].primary));
    assert.throws(() => {
      (settings as { poolSize: number }).poolSize = 99;
    }, TypeError);
  });
});
