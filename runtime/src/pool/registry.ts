// The pools of one snapshot, by (user, database, shard, role), created on first use. TLS material
// for server connections is read once, when the registry is built, so a bad path fails at startup.

import { readFileSync } from 'node:fs';
import type { ServerTlsOptions } from '../backend/connect-socket.js';
import type { PoolKey, PoolRole, RuntimeSnapshot, ServerTlsSettings } from '../config/snapshot.js';
import type { ServerConnector } from './connector.js';
import { Pool, type PoolStats } from './pool.js';

export interface PoolRegistryOptions {
  readonly connector?: ServerConnector;
  readonly maxConcurrentConnects?: number;
  /** Reads a configured file; default readFileSync. */
  readonly readFile?: (path: string) => Buffer;
}

export class PoolRegistry {
  readonly snapshot: RuntimeSnapshot;
  private readonly pools: Map<string, Pool>;
  private readonly tls: ServerTlsOptions;
  private readonly options: PoolRegistryOptions;
  private closing: boolean;

  constructor(snapshot: RuntimeSnapshot, options: PoolRegistryOptions = {}) {
    this.snapshot = snapshot;
    this.pools = new Map();
    this.options = options;
    this.tls = loadServerTls(snapshot.general, options.readFile);
    this.closing = false;
  }

  /** The pool for this key, created on first use; null when the snapshot has no such pool. */
  get(user: string, database: string, shard = 0, role: PoolRole = 'primary'): Pool | null {
    const id = `${user}\0${database}\0${shard}\0${role}`;
    const existing = this.pools.get(id);
    if (existing !== undefined) return existing;
    if (this.closing) return null;
    const settings = this.snapshot.poolSettings(user, database, shard, role);
    if (settings === null) return null;
    const pool = new Pool(settings, { tls: this.tls, connector: this.options.connector, maxConcurrentConnects: this.options.maxConcurrentConnects });
    this.pools.set(id, pool);
    return pool;
  }

  /** Creates every pool the snapshot allows, so min_pool_size servers open before the first client. */
  prewarm(): void {
    for (const k of this.snapshot.poolKeys()) this.get(k.user, k.database, k.shard, k.role);
  }

  /** Pools created so far. */
  list(): Pool[] {
    return [...this.pools.values()];
  }

  stats(): { key: PoolKey; name: string; stats: PoolStats }[] {
    return this.list().map((p) => ({ key: p.settings.key, name: p.name, stats: p.stats() }));
  }

  /** Graceful: leased servers close when released. */
  drainAll(): Promise<void> {
    this.closing = true;
    return Promise.all(this.list().map((p) => p.drain())).then(() => undefined);
  }

  /** Immediate: leased servers are closed too. */
  closeAll(): Promise<void> {
    this.closing = true;
    return Promise.all(this.list().map((p) => p.close())).then(() => undefined);
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
