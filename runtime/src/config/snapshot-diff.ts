// What a reload changes: given the running snapshot, the new one, and the pools and host groups
// that exist, which to keep (no reconnects) and which to drain, plus a summary for the log and
// the settings that only a restart applies. Pure: no pools, no sockets, only snapshots.

import type { BalanceSettings, GeneralSettings, HostSpec, PoolSettings, RuntimeSnapshot, UserEntry } from './snapshot.js';

/** A pool as the registry knows it: one host of one shard of one database, for one user. */
export interface PoolSlot {
  readonly user: string;
  readonly database: string;
  readonly shard: number;
  readonly host: number;
}

/** A host group: the hosts of one shard of one database. */
export interface GroupSlot {
  readonly database: string;
  readonly shard: number;
}

/** The listen address the process was started with; a flag given on the command line wins over the file. */
export interface ListenOverrides {
  readonly host?: string;
  readonly port?: number;
}

export interface ReloadSummary {
  readonly usersAdded: readonly string[];
  readonly usersRemoved: readonly string[];
  /** Names only: what changed may be a password. */
  readonly usersChanged: readonly string[];
  readonly databasesAdded: readonly string[];
  readonly databasesRemoved: readonly string[];
  readonly databasesChanged: readonly string[];
  /** [general] keys whose value changed (names only; values may be secrets). */
  readonly generalChanged: readonly string[];
  readonly poolsKept: number;
  /** "user@database" (shard / host index when not 0). */
  readonly poolsDrained: readonly string[];
}

export interface ReloadPlan {
  /** Indexes into the `pools` passed in. */
  readonly keepPools: readonly number[];
  readonly drainPools: readonly number[];
  /** Indexes into the `groups` passed in; the others are replaced (bans and balancer state start over). */
  readonly keepGroups: readonly number[];
  readonly replaceGroups: readonly number[];
  readonly summary: ReloadSummary;
  /** Changed settings that take effect only after a restart. */
  readonly restartRequired: readonly string[];
  /** True when nothing at all differs. */
  readonly unchanged: boolean;
}

/** [general] keys read once at start; a new value is reported and ignored until a restart. */
const RESTART_ONLY: readonly (keyof GeneralSettings)[] = ['host', 'port', 'log_format'];

export function planReload(
  prev: RuntimeSnapshot,
  next: RuntimeSnapshot,
  pools: readonly PoolSlot[],
  groups: readonly GroupSlot[],
  overrides: ListenOverrides = {},
): ReloadPlan {
  const keepPools: number[] = [];
  const drainPools: number[] = [];
  const drained: string[] = [];
  const touched = new Set<string>();
  pools.forEach((p, i) => {
    const before = prev.hostPoolSettings(p.user, p.database, p.shard, p.host);
    const after = next.hostPoolSettings(p.user, p.database, p.shard, p.host);
    if (before !== null && after !== null && samePoolSettings(before, after)) {
      keepPools.push(i);
      return;
    }
    drainPools.push(i);
    drained.push(slotName(p));
    touched.add(groupId(p));
  });

  const keepGroups: number[] = [];
  const replaceGroups: number[] = [];
  const balanceSame = sameBalance(prev.balance, next.balance);
  groups.forEach((g, i) => {
    const a = prev.databases.get(g.database)?.shards[g.shard]?.hosts;
    const b = next.databases.get(g.database)?.shards[g.shard]?.hosts;
    // A group holds its pools; one whose pool is drained is rebuilt around the pools that stay.
    const same = balanceSame && a !== undefined && b !== undefined && sameGroupHosts(a, b) && !touched.has(groupId(g));
    (same ? keepGroups : replaceGroups).push(i);
  });

  const users = diffNamed(prev.users, next.users, sameUserEntries);
  const databases = diffNamed(prev.databases, next.databases, (x, y) => sameDatabaseEntries(x.entries, y.entries));
  const generalChanged = changedKeys(prev.general, next.general);
  const restartRequired = RESTART_ONLY.filter((k) => generalChanged.includes(k))
    .filter((k) => !(k === 'host' && overrides.host !== undefined) && !(k === 'port' && overrides.port !== undefined))
    .map((k) => `general.${k} changed: takes effect after a restart`);

  const summary: ReloadSummary = {
    usersAdded: users.added,
    usersRemoved: users.removed,
    usersChanged: users.changed,
    databasesAdded: databases.added,
    databasesRemoved: databases.removed,
    databasesChanged: databases.changed,
    generalChanged,
    poolsKept: keepPools.length,
    poolsDrained: drained,
  };
  const unchanged =
    drainPools.length === 0 &&
    replaceGroups.length === 0 &&
    generalChanged.length === 0 &&
    users.added.length + users.removed.length + users.changed.length === 0 &&
    databases.added.length + databases.removed.length + databases.changed.length === 0;
  return { keepPools, drainPools, keepGroups, replaceGroups, summary, restartRequired, unchanged };
}

/** Everything a pool's servers were opened with or are managed by; the config entry object aside. */
export function samePoolSettings(a: PoolSettings, b: PoolSettings): boolean {
  if (a.hosts.length !== b.hosts.length || !a.hosts.every((h, i) => sameHost(h, b.hosts[i]))) return false;
  const { hosts: _ah, key: ak, ...restA } = a;
  const { hosts: _bh, key: bk, ...restB } = b;
  return deepEqual(ak, bk) && deepEqual(restA, restB);
}

function sameHost(a: HostSpec, b: HostSpec): boolean {
  return a.host === b.host && a.port === b.port && a.databaseName === b.databaseName && a.shard === b.shard && a.role === b.role;
}

function sameGroupHosts(a: readonly HostSpec[], b: readonly HostSpec[]): boolean {
  return a.length === b.length && a.every((h, i) => sameHost(h, b[i]) && (h.entry.lb_weight ?? 255) === (b[i].entry.lb_weight ?? 255));
}

function sameBalance(a: BalanceSettings, b: BalanceSettings): boolean {
  return deepEqual(a, b);
}

function sameUserEntries(a: readonly UserEntry[], b: readonly UserEntry[]): boolean {
  return a.length === b.length && a.every((u, i) => deepEqual(u.config, b[i].config));
}

function sameDatabaseEntries(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((e, i) => deepEqual(e, b[i]));
}

function diffNamed<T>(a: ReadonlyMap<string, T>, b: ReadonlyMap<string, T>, same: (x: T, y: T) => boolean): { added: string[]; removed: string[]; changed: string[] } {
  const added = [...b.keys()].filter((k) => !a.has(k));
  const removed = [...a.keys()].filter((k) => !b.has(k));
  const changed = [...a.keys()].filter((k) => b.has(k) && !same(a.get(k) as T, b.get(k) as T));
  return { added, removed, changed };
}

function changedKeys(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])).sort();
}

function groupId(g: GroupSlot): string {
  return `${g.database}\0${g.shard}`;
}

function slotName(p: PoolSlot): string {
  const shard = p.shard !== 0 ? ` shard ${p.shard}` : '';
  const host = p.host !== 0 ? ` host ${p.host}` : '';
  return `${p.user}@${p.database}${shard}${host}`;
}

/** Structural equality of plain config data (objects, arrays, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
