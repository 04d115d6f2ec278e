// NormalizedConfig -> RuntimeSnapshot: who may log in, where each database's hosts are, and the
// resolved settings of every (user, database, shard, role) pool. Pure and frozen; a reload builds
// a new snapshot and swaps it in whole.

import type { DeepReadonly, NormalizedConfig } from '@pgdog/compiler';
import { partOf, type WorkerShare } from '../workers/worker-share.js';

type Settings = DeepReadonly<NormalizedConfig['pgdog']>;
export type GeneralSettings = Settings['general'];
export type DatabaseEntry = Settings['databases'][number];
export type UserEntryConfig = DeepReadonly<NormalizedConfig['users']['users'][number]>;
export type PoolerMode = GeneralSettings['pooler_mode'];
export type TlsVerifyMode = GeneralSettings['tls_verify'];

/** The role a pool serves. `auto` hosts are placed as primary or replica when the snapshot is built. */
export type PoolRole = 'primary' | 'replica';

export interface HostSpec {
  readonly host: string;
  readonly port: number;
  /** The database to ask for on the server: `database_name`, else the logical name. */
  readonly databaseName: string;
  readonly shard: number;
  readonly role: PoolRole;
  /** The [[databases]] entry this host came from (per-host overrides live there). */
  readonly entry: DatabaseEntry;
}

export interface ShardSpec {
  readonly primary: HostSpec | null;
  readonly replicas: readonly HostSpec[];
  /** Every host of the shard in config order (the primary among them): the order of its host group. */
  readonly hosts: readonly HostSpec[];
}

export interface DatabaseSpec {
  readonly name: string;
  /** Indexed by shard number; a shard number nobody configured has no primary and no replicas. */
  readonly shards: readonly ShardSpec[];
  /** Every [[databases]] entry of this name: `*_primary` / `*_replica` settings are cluster-wide. */
  readonly entries: readonly DatabaseEntry[];
}

export interface UserEntry {
  readonly name: string;
  readonly password: string | undefined;
  readonly passwords: readonly string[];
  readonly passwordHash: string | undefined;
  readonly allDatabases: boolean;
  /** Databases named by `database` and `databases`. */
  readonly databases: readonly string[];
  readonly config: UserEntryConfig;
}

export interface PoolKey {
  readonly user: string;
  readonly database: string;
  readonly shard: number;
  readonly role: PoolRole;
  /** A pool of one host: its index in the shard's `hosts`. Absent: the role's hosts together. */
  readonly host?: number;
}

export interface ServerTlsSettings {
  readonly mode: TlsVerifyMode;
  /** Paths, as configured; read by the registry, never here. */
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
}

export interface PoolSettings {
  readonly key: PoolKey;
  /** One host per role in this issue; a list so that replicas can share one pool later. */
  readonly hosts: readonly HostSpec[];
  readonly poolSize: number;
  readonly minPoolSize: number;
  readonly poolerMode: PoolerMode;
  readonly serverUser: string;
  /** Tried in order; a later one only after the server answered 28P01. Empty: trust only. */
  readonly serverPasswords: readonly string[];
  readonly databaseName: string;
  /** Sent in the StartupMessage: statement_timeout, lock_timeout, default_transaction_read_only. */
  readonly startupParams: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly connectAttempts: number;
  readonly connectAttemptDelayMs: number;
  readonly checkoutTimeoutMs: number;
  /** null: no limit. */
  readonly queryTimeoutMs: number | null;
  readonly rollbackTimeoutMs: number;
  /** 0: idle connections are never closed for being idle. */
  readonly idleTimeoutMs: number;
  /** 0: connections never expire. */
  readonly serverLifetimeMs: number;
  readonly serverLifetimeJitterMs: number;
  /** A connection unused this long is checked (`;`) before a client gets it; 0: always. */
  readonly healthcheckIntervalMs: number;
  readonly healthcheckTimeoutMs: number;
  /** Idle connections are checked this often; 0: never. */
  readonly idleHealthcheckIntervalMs: number;
  /** No idle checks this soon after the pool starts. */
  readonly idleHealthcheckDelayMs: number;
  readonly tls: ServerTlsSettings;
}

/** How reads are spread and hosts banned ([general]). */
export interface BalanceSettings {
  readonly strategy: GeneralSettings['load_balancing_strategy'];
  readonly split: GeneralSettings['read_write_split'];
  readonly aggressive: boolean;
  /** 0: never ban. */
  readonly banTimeoutMs: number;
  readonly healthcheckTimeoutMs: number;
}

export interface RuntimeSnapshot {
  readonly general: GeneralSettings;
  /** Every users.toml entry by name; one name may have several entries for different databases. */
  readonly users: ReadonlyMap<string, readonly UserEntry[]>;
  readonly databases: ReadonlyMap<string, DatabaseSpec>;
  readonly balance: BalanceSettings;
  /** The entry granting `name` access to `database`: one naming it, else one with all_databases. */
  userFor(name: string, database: string): UserEntry | null;
  /** null when the user may not use the database, or the shard/role has no host. */
  poolSettings(user: string, database: string, shard?: number, role?: PoolRole): PoolSettings | null;
  /** The settings of the pool of one host (index into the shard's `hosts`); null as poolSettings. */
  hostPoolSettings(user: string, database: string, shard: number, host: number): PoolSettings | null;
  /** Every pool the snapshot allows, for pre-warming. */
  poolKeys(): PoolKey[];
}

/** `share`: this process is one of several workers; pool sizes become its part of the totals. */
export function buildSnapshot(config: DeepReadonly<NormalizedConfig>, share?: WorkerShare): RuntimeSnapshot {
  const general = config.pgdog.general;
  const databases = buildDatabases(config.pgdog.databases);
  const users = buildUsers(config.users.users);

  const userFor = (name: string, database: string): UserEntry | null => {
    const entries = users.get(name);
    if (entries === undefined || !databases.has(database)) return null;
    return entries.find((u) => u.databases.includes(database)) ?? entries.find((u) => u.allDatabases) ?? null;
  };

  const poolSettings = (user: string, database: string, shard = 0, role: PoolRole = 'primary'): PoolSettings | null => {
    const u = userFor(user, database);
    const db = databases.get(database);
    const shardSpec = db?.shards[shard];
    if (u === null || db === undefined || shardSpec === undefined) return null;
    const hosts = role === 'primary' ? (shardSpec.primary ? [shardSpec.primary] : []) : shardSpec.replicas;
    if (hosts.length === 0) return null;
    return workerPart(resolvePoolSettings(general, u, { user, database, shard, role }, hosts, db.entries), share);
  };

  const hostPoolSettings = (user: string, database: string, shard: number, host: number): PoolSettings | null => {
    const u = userFor(user, database);
    const db = databases.get(database);
    const h = db?.shards[shard]?.hosts[host];
    if (u === null || db === undefined || h === undefined) return null;
    return workerPart(resolvePoolSettings(general, u, { user, database, shard, role: h.role, host }, [h], db.entries), share);
  };

  const poolKeys = (): PoolKey[] => {
    const keys: PoolKey[] = [];
    for (const [name] of users) {
      for (const [database, spec] of databases) {
        if (userFor(name, database) === null) continue;
        spec.shards.forEach((s, shard) => {
          if (s.primary) keys.push({ user: name, database, shard, role: 'primary' });
          if (s.replicas.length > 0) keys.push({ user: name, database, shard, role: 'replica' });
        });
      }
    }
    return keys;
  };

  const balance: BalanceSettings = Object.freeze({
    strategy: general.load_balancing_strategy,
    split: general.read_write_split,
    aggressive: general.read_write_strategy === 'aggressive',
    banTimeoutMs: general.ban_timeout,
    healthcheckTimeoutMs: general.healthcheck_timeout,
  });
  return Object.freeze({ general, users, databases, balance, userFor, poolSettings, hostPoolSettings, poolKeys });
}

function buildDatabases(entries: readonly DatabaseEntry[]): Map<string, DatabaseSpec> {
  const byName = new Map<string, DatabaseEntry[]>();
  for (const e of entries) {
    // Resharding targets serve no client traffic, so no pool may reach them.
    if (e.resharding_only) continue;
    const list = byName.get(e.name);
    if (list) list.push(e);
    else byName.set(e.name, [e]);
  }
  const out = new Map<string, DatabaseSpec>();
  for (const [name, list] of byName) {
    const shardCount = Math.max(...list.map((e) => e.shard)) + 1;
    const shards: ShardSpec[] = [];
    for (let shard = 0; shard < shardCount; shard++) shards.push(buildShard(list.filter((e) => e.shard === shard)));
    out.set(name, Object.freeze({ name, shards: Object.freeze(shards), entries: Object.freeze(list) }));
  }
  return out;
}

/**
 * The first explicit primary is the primary (the compiler warns about duplicates). Until role
 * detection exists, an `auto` host is the primary when the shard has no explicit one (the first
 * such host), and a replica otherwise.
 */
function buildShard(entries: readonly DatabaseEntry[]): ShardSpec {
  let primary: HostSpec | null = null;
  const replicas: HostSpec[] = [];
  const hosts: HostSpec[] = [];
  const explicitPrimary = entries.some((e) => e.role === 'primary');
  for (const e of entries) {
    const wantsPrimary = e.role === 'primary' || (e.role === 'auto' && !explicitPrimary);
    if (wantsPrimary && primary === null) {
      primary = hostSpec(e, 'primary');
      hosts.push(primary);
    } else if (e.role !== 'primary') {
      const r = hostSpec(e, 'replica');
      replicas.push(r);
      hosts.push(r);
    }
  }
  return Object.freeze({ primary, replicas: Object.freeze(replicas), hosts: Object.freeze(hosts) });
}

function hostSpec(e: DatabaseEntry, role: PoolRole): HostSpec {
  return Object.freeze({ host: e.host, port: e.port, databaseName: e.database_name ?? e.name, shard: e.shard, role, entry: e });
}

function buildUsers(entries: readonly UserEntryConfig[]): Map<string, UserEntry[]> {
  const out = new Map<string, UserEntry[]>();
  for (const u of entries) {
    const databases: string[] = [];
    // pgDog's default for `database` is "", meaning "not set".
    if (u.database !== undefined && u.database !== '') databases.push(u.database);
    for (const d of u.databases) if (!databases.includes(d)) databases.push(d);
    const entry: UserEntry = Object.freeze({
      name: u.name,
      password: u.password,
      passwords: u.passwords,
      passwordHash: u.password_hash,
      allDatabases: u.all_databases,
      databases: Object.freeze(databases),
      config: u,
    });
    const list = out.get(u.name);
    if (list) list.push(entry);
    else out.set(u.name, [entry]);
  }
  for (const list of out.values()) Object.freeze(list);
  return out;
}

/** A worker's pools: its part of the pool sizes (at least one server, so it can serve at all). */
function workerPart(settings: PoolSettings, share: WorkerShare | undefined): PoolSettings {
  if (share === undefined || share.count <= 1) return settings;
  const poolSize = partOf(settings.poolSize, share, 1);
  return Object.freeze({ ...settings, poolSize, minPoolSize: Math.min(partOf(settings.minPoolSize, share), poolSize) });
}

/** The first value that is set. */
function first<T>(...values: (T | undefined)[]): T | undefined {
  for (const v of values) if (v !== undefined) return v;
  return undefined;
}

/**
 * Precedence: user entry > [[databases]] entry > [general]; within each, the role variant first.
 * A role variant on the database side (`pool_size_replica`...) describes the whole cluster, so it
 * is taken from the host's own entry, else from the first entry of the same name that sets it.
 */
export function resolvePoolSettings(general: GeneralSettings, user: UserEntry, key: PoolKey, hosts: readonly HostSpec[], cluster: readonly DatabaseEntry[]): PoolSettings {
  const u = user.config;
  const db = hosts[0].entry;
  const primary = key.role === 'primary';
  const clusterWide = <T>(pick: (e: DatabaseEntry) => T | undefined): T | undefined => first(pick(db), ...cluster.map(pick));
  const dbPoolSize = clusterWide((e) => (primary ? e.pool_size_primary : e.pool_size_replica));
  const dbMinPoolSize = clusterWide((e) => (primary ? e.min_pool_size_primary : e.min_pool_size_replica));
  const dbIdleTimeout = clusterWide((e) => (primary ? e.idle_timeout_primary : e.idle_timeout_replica));
  const poolSize = first(primary ? u.pool_size_primary : u.pool_size_replica, u.pool_size, dbPoolSize, db.pool_size) ?? general.default_pool_size;
  const minPoolSize = first(primary ? u.min_pool_size_primary : u.min_pool_size_replica, u.min_pool_size, dbMinPoolSize, db.min_pool_size) ?? general.min_pool_size;
  const idleTimeoutMs = first(primary ? u.idle_timeout_primary : u.idle_timeout_replica, u.idle_timeout, dbIdleTimeout, db.idle_timeout) ?? general.idle_timeout;

  const startupParams: Record<string, string> = {};
  const statementTimeout = first(u.statement_timeout, db.statement_timeout);
  if (statementTimeout !== undefined) startupParams.statement_timeout = String(statementTimeout);
  const lockTimeout = first(u.lock_timeout, db.lock_timeout);
  if (lockTimeout !== undefined) startupParams.lock_timeout = String(lockTimeout);
  if (first(u.read_only, db.read_only) === true) startupParams.default_transaction_read_only = 'on';

  // pgdog.toml credentials win over users.toml ones; the client's own are the last resort.
  const serverUser = first(db.user, u.server_user) ?? u.name;
  const explicit = first(db.password, u.server_password);
  const candidates = explicit !== undefined ? [explicit] : [u.password, ...u.passwords];
  const serverPasswords = [...new Set(candidates.filter((p): p is string => p !== undefined))];

  return Object.freeze({
    key: Object.freeze({ ...key }),
    hosts: Object.freeze([...hosts]),
    poolSize,
    minPoolSize: Math.min(minPoolSize, poolSize),
    poolerMode: first(u.pooler_mode, db.pooler_mode) ?? general.pooler_mode,
    serverUser,
    serverPasswords: Object.freeze(serverPasswords),
    databaseName: hosts[0].databaseName,
    startupParams: Object.freeze(startupParams),
    connectTimeoutMs: general.connect_timeout,
    connectAttempts: Math.max(1, general.connect_attempts),
    connectAttemptDelayMs: general.connect_attempt_delay,
    checkoutTimeoutMs: general.checkout_timeout,
    queryTimeoutMs: general.query_timeout ?? null,
    rollbackTimeoutMs: general.rollback_timeout,
    idleTimeoutMs,
    serverLifetimeMs: first(u.server_lifetime, db.server_lifetime) ?? general.server_lifetime,
    serverLifetimeJitterMs: first(u.server_lifetime_jitter, db.server_lifetime_jitter) ?? general.server_lifetime_jitter,
    healthcheckIntervalMs: general.healthcheck_interval,
    healthcheckTimeoutMs: general.healthcheck_timeout,
    idleHealthcheckIntervalMs: general.idle_healthcheck_interval,
    idleHealthcheckDelayMs: general.idle_healthcheck_delay,
    tls: Object.freeze({
      mode: general.tls_verify,
      caFile: general.tls_server_ca_certificate,
      certFile: general.tls_server_certificate,
      keyFile: general.tls_server_private_key,
    }),
  });
}
