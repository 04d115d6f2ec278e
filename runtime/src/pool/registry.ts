// The pools of one snapshot, by (user, database, shard, host), created on first use. TLS material
// for server connections is read once, when the registry is built, so a bad path fails at startup.

import { readFileSync } from 'node:fs';
import type { ServerTlsOptions } from '../backend/connect-socket.js';
import type { PoolKey, PoolRole, RuntimeSnapshot, ServerTlsSettings } from '../config/snapshot.js';
import { planReload, type GroupSlot, type ListenOverrides, type PoolSlot, type ReloadPlan } from '../config/snapshot-diff.js';
import { pino, type Logger } from 'pino';
import { Balancer, type BalancedShard } from './balancer.js';
import type { ServerConnector } from './connector.js';
import { HostGroup, type HostStats } from './host-group.js';
import { Pool, type PoolStats } from './pool.js';

export interface PoolRegistryOptions {
  readonly connector?: ServerConnector;
  readonly maxConcurrentConnects?: number;
  /** Reads a configured file; default readFileSync. */
  readonly readFile?: (path: string) => Buffer;
  /** Where bans and unbans are logged; default: nowhere. */
  readonly logger?: Logger;
  /** For the random load-balancing strategy; default Math.random. */
  readonly random?: () => number;
}

/**
 * One pool per (user, database, shard, host); one HostGroup per (database, shard), shared by the
 * users, holding the bans and the balancer state; one Balancer per (user, database) over them.
 */
export class PoolRegistry {
  /** Replaced by reload(). */
  snapshot: RuntimeSnapshot;
  private readonly pools: Map<string, Pool>;
  private readonly groups: Map<string, HostGroup>;
  private readonly balancers: Map<string, Balancer>;
  private tls: ServerTlsOptions;
  private readonly options: PoolRegistryOptions;
  private readonly logger: Logger;
  private closing: boolean;

  constructor(snapshot: RuntimeSnapshot, options: PoolRegistryOptions = {}) {
    this.snapshot = snapshot;
    this.pools = new Map();
    this.groups = new Map();
    this.balancers = new Map();
    this.options = options;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.tls = loadServerTls(snapshot.general, options.readFile);
    this.closing = false;
  }

  /** The pool of the first host of this role, created on first use; null when there is none. */
  get(user: string, database: string, shard = 0, role: PoolRole = 'primary'): Pool | null {
    const hosts = this.snapshot.databases.get(database)?.shards[shard]?.hosts;
    const index = hosts === undefined ? -1 : hosts.findIndex((h) => h.role === role);
    return index < 0 ? null : this.hostPool(user, database, shard, index);
  }

  /** The pool of one host (index into the shard's hosts), created on first use. */
  hostPool(user: string, database: string, shard: number, host: number): Pool | null {
    const id = `${user}\0${database}\0${shard}\0${host}`;
    const existing = this.pools.get(id);
    if (existing !== undefined) return existing;
    if (this.closing) return null;
    const settings = this.snapshot.hostPoolSettings(user, database, shard, host);
    if (settings === null) return null;
    const group = this.group(database, shard) as HostGroup;
    const pool = new Pool(settings, {
      tls: this.tls,
      connector: this.options.connector,
      maxConcurrentConnects: this.options.maxConcurrentConnects,
      // Looked up at the time of the failure: a reload may have replaced the group since.
      health: { checkFailed: (_p, message) => this.groups.get(`${database}\0${shard}`)?.failed(host, { kind: 'check_failed', message }) },
    });
    group.addPool(host, pool);
    this.pools.set(id, pool);
    return pool;
  }

  /** The hosts of one shard, shared by every user; null when the database has no such shard. */
  group(database: string, shard: number): HostGroup | null {
    const id = `${database}\0${shard}`;
    const existing = this.groups.get(id);
    if (existing !== undefined) return existing;
    const hosts = this.snapshot.databases.get(database)?.shards[shard]?.hosts;
    if (hosts === undefined || hosts.length === 0) return null;
    const group = new HostGroup(database, shard, hosts, this.snapshot.balance, this.logger, this.options.random);
    this.groups.set(id, group);
    // Pools a reload kept while replacing their group join the new one.
    for (const pool of this.pools.values()) {
      const k = pool.settings.key;
      if (k.database === database && k.shard === shard && k.host !== undefined) group.addPool(k.host, pool);
    }
    return group;
  }

  /** Every host of every shard of the database for this user; null when the user may not use it. */
  balancer(user: string, database: string): Balancer | null {
    const id = `${user}\0${database}`;
    const existing = this.balancers.get(id);
    if (existing !== undefined) return existing;
    const db = this.snapshot.databases.get(database);
    if (db === undefined || this.snapshot.userFor(user, database) === null || this.closing) return null;
    const shards: BalancedShard[] = [];
    for (let shard = 0; shard < db.shards.length; shard++) {
      const group = this.group(database, shard);
      if (group === null) return null;
      const pools = group.hosts.map((_h, i) => this.hostPool(user, database, shard, i) as Pool);
      shards.push({ group, pools });
    }
    const balancer = new Balancer(`${user}@${database}`, shards);
    this.balancers.set(id, balancer);
    return balancer;
  }

  /** Creates every pool the snapshot allows, so min_pool_size servers open before the first client. */
  prewarm(): void {
    for (const [name] of this.snapshot.users) {
      for (const [database, spec] of this.snapshot.databases) {
        if (this.snapshot.userFor(name, database) === null) continue;
        spec.shards.forEach((s, shard) => s.hosts.forEach((_h, i) => this.hostPool(name, database, shard, i)));
      }
    }
  }

  /** Pools created so far. */
  list(): Pool[] {
    return [...this.pools.values()];
  }

  stats(): { key: PoolKey; name: string; stats: PoolStats }[] {
    return this.list().map((p) => ({ key: p.settings.key, name: p.name, stats: p.stats() }));
  }

  /** Every host of every group created so far: bans and health counters. */
  hostStats(): HostStats[] {
    return [...this.groups.values()].flatMap((g) => g.stats());
  }

  /**
   * Swaps in a new snapshot: pools whose settings did not change stay (with their servers), the
   * others are drained (idle servers close now, leased ones when released) and are created again
   * from the new snapshot on first use. Balancers are rebuilt on demand. Throws, changing nothing,
   * when the new server TLS files cannot be read.
   */
  reload(next: RuntimeSnapshot, overrides: ListenOverrides = {}): { plan: ReloadPlan; drained: Promise<void> } {
    const poolIds = [...this.pools.keys()];
    const poolSlots: PoolSlot[] = poolIds.map((id) => {
      const k = (this.pools.get(id) as Pool).settings.key;
      return { user: k.user, database: k.database, shard: k.shard, host: k.host ?? 0 };
    });
    const groupIds = [...this.groups.keys()];
    const groupSlots: GroupSlot[] = groupIds.map((id) => {
      const g = this.groups.get(id) as HostGroup;
      return { database: g.database, shard: g.shard };
    });
    const plan = planReload(this.snapshot, next, poolSlots, groupSlots, overrides);
    const tls = loadServerTls(next.general, this.options.readFile);
    this.snapshot = next;
    this.tls = tls;
    const retired: Pool[] = [];
    for (const i of plan.drainPools) {
      retired.push(this.pools.get(poolIds[i]) as Pool);
      this.pools.delete(poolIds[i]);
    }
    for (const i of plan.replaceGroups) {
      (this.groups.get(groupIds[i]) as HostGroup).close();
      this.groups.delete(groupIds[i]);
    }
    this.balancers.clear();
    return { plan, drained: Promise.all(retired.map((p) => p.drain())).then(() => undefined) };
  }

  /** Graceful: leased servers close when released. */
  drainAll(): Promise<void> {
    this.closing = true;
    this.stopGroups();
    return Promise.all(this.list().map((p) => p.drain())).then(() => undefined);
  }

  /** Immediate: leased servers are closed too. */
  closeAll(): Promise<void> {
    this.closing = true;
    this.stopGroups();
    return Promise.all(this.list().map((p) => p.close())).then(() => undefined);
  }

  private stopGroups(): void {
    for (const g of this.groups.values()) g.close();
  }
}

type TlsGeneral = RuntimeSnapshot['general'];

/** The TLS options every server connection of a snapshot uses. */
export function loadServerTls(general: TlsGeneral, readFile: (path: string) => Buffer = (p) => readFileSync(p)): ServerTlsOptions {
  const s: ServerTlsSettings = {
    mode: general.tls_verify,
    caFile: general.tls_server_ca_certificate,
    certFile: general.tls_server_certificate,
    keyFile: general.tls_server_private_key,
  };
  if (s.mode === 'disabled') return { mode: 'disabled' };
  const read = (what: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (e) {
      throw new Error(`pgdog: cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
    }
  };
  return {
    mode: s.mode,
    ca: read('tls_server_ca_certificate', s.caFile),
    cert: read('tls_server_certificate', s.certFile),
    key: read('tls_server_private_key', s.keyFile),
  };
}
