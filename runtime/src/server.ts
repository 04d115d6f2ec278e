// `pgdog serve` as a library call: snapshot + pools + listener + logger, wired once.

import { compileRoutingTable, loadSqlParser, PlanCache, type DeepReadonly, type NormalizedConfig, type RoutingTable } from '@pgdog/compiler';
import { needsRouting } from './balance/routing-need.js';
import type { ClientCredentials } from './auth/client-auth.js';
import { buildSnapshot, type RuntimeSnapshot } from './config/snapshot.js';
import { CancelRegistry } from './frontend/cancel-registry.js';
import type { FrontendContext, ServerSource } from './frontend/frontend-context.js';
import type { RoutingContext } from './frontend/query-router.js';
import { ClientListener } from './frontend/listener.js';
import type { CheckoutFailure, PoolPort } from './frontend/server-port.js';
import type { HostStats } from './pool/host-group.js';
import { createClientTls } from './frontend/tls.js';
import { createLogger, type Logger } from './log.js';
import { PoolRegistry } from './pool/registry.js';
import type { PoolStats } from './pool/pool.js';
import { FrontendCode } from './protocol/codes.js';
import { frontendLengthLimits } from './protocol/length-limits.js';
import { SqlState } from './protocol/sqlstate.js';

export interface StartServerOptions {
  /** Default general.host. */
  readonly host?: string;
  /** Default general.port; 0 picks a free port. */
  readonly port?: number;
  /** Default: a logger from general.log_level / log_format on standard output. */
  readonly logger?: Logger;
  /** A compiled routing table (`pgdog serve --routes`); default: compiled from `config` at start. */
  readonly routingTable?: RoutingTable;
  /** For the random load-balancing strategy (tests pass a seeded one); default Math.random. */
  readonly random?: () => number;
}

export interface ServerStats {
  /** Client connections open, logged in or not. */
  readonly connections: number;
  /** Clients holding a login slot (counted against max_client_connections). */
  readonly clients: number;
  readonly pools: readonly { readonly name: string; readonly stats: PoolStats }[];
  /** Every host with a pool: bans (with reason) and health counters. */
  readonly hosts: readonly HostStats[];
}

export interface RunningServer {
  readonly port: number;
  readonly logger: Logger;
  /**
   * Stops accepting. Graceful (default): idle clients are told 57P01 and closed now, the others
   * when their transaction ends, all of them by general.shutdown_timeout; then the pools close.
   */
  close(graceful?: boolean): Promise<void>;
  stats(): ServerStats;
}

export async function startServer(config: DeepReadonly<NormalizedConfig>, opts: StartServerOptions = {}): Promise<RunningServer> {
  const snapshot = buildSnapshot(config);
  const general = snapshot.general;
  const logger = opts.logger ?? createLogger({ level: general.log_level, format: general.log_format });
  const tls = createClientTls(general);
  const routed = (user: string, database: string): boolean => {
    const db = snapshot.databases.get(database);
    return db !== undefined && needsRouting({ shardHosts: db.shards.map((s) => s.hosts.length), rules: config.pgdog.query_rules, database, user });
  };
  const routing = await routingContext(config, snapshot, opts.routingTable, routed);
  const registry = new PoolRegistry(snapshot, { logger, random: opts.random });
  const state = { shuttingDown: false, clients: 0 };
  const ctx = frontendContext(snapshot, registry, logger, tls, state, routing === null ? null : { routing, routed });
  const listener = new ClientListener(ctx);
  const host = opts.host ?? general.host;
  let port: number;
  try {
    port = await listener.listen(host, opts.port ?? general.port);
  } catch (err) {
    await registry.closeAll();
    throw err;
  }
  registry.prewarm();
  logger.info({ host, port, tls: tls.context !== null, databases: [...snapshot.databases.keys()] }, 'pgdog is listening');

  let closing: Promise<void> | null = null;
  const close = async (graceful: boolean): Promise<void> => {
    state.shuttingDown = true;
    listener.stopAccepting();
    if (graceful) {
      for (const s of [...listener.sessions]) s.beginShutdown();
      await waitOrTimeout(listener.drained(), general.shutdown_timeout);
      if (listener.sessions.size > 0) logger.warn({ clients: listener.sessions.size }, 'shutdown_timeout reached: closing the remaining clients');
    }
    for (const s of [...listener.sessions]) s.shutdownNow();
    await waitOrTimeout(listener.drained(), 1000);
    await (graceful ? waitOrTimeout(registry.drainAll(), 1000) : Promise.resolve());
    // Closing is bounded too: a server socket that never reports 'close' must not keep the
    // process from exiting (connects in flight are already bounded by connect_timeout).
    await waitOrTimeout(registry.closeAll(), CLOSE_POOLS_TIMEOUT_MS);
  };

  return {
    port,
    logger,
    close(graceful = true): Promise<void> {
      // A second, forced close must not wait for the first one's timers.
      if (closing === null || !graceful) closing = close(graceful);
      return closing;
    },
    stats(): ServerStats {
      return {
        connections: listener.sessions.size,
        clients: state.clients,
        pools: registry.stats().map((p) => ({ name: p.name, stats: p.stats })),
        hosts: registry.hostStats(),
      };
    },
  };
}

function frontendContext(
  snapshot: RuntimeSnapshot,
  registry: PoolRegistry,
  logger: Logger,
  tls: FrontendContext['tls'],
  state: { shuttingDown: boolean; clients: number },
  routing: { routing: RoutingContext; routed: (user: string, database: string) => boolean } | null,
): FrontendContext {
  const general = snapshot.general;
  const sources = new Map<string, ServerSource | null>();
  const params = new WeakMap<PoolPort, ReadonlyMap<string, string>>();
  const blockLimit = general.query_size_limit !== undefined && general.query_size_limit_action === 'block' ? general.query_size_limit : undefined;
  const maxClients = general.max_client_connections ?? Infinity;
  return {
    snapshot,
    tls,
    cancels: new CancelRegistry(),
    logger,
    framerLimits: clientLengthLimits(blockLimit),
    querySizeWarn: general.query_size_limit !== undefined && blockLimit === undefined ? general.query_size_limit : Infinity,
    get shuttingDown() {
      return state.shuttingDown;
    },
    credentials: (user, database) => credentialsFor(snapshot, user, database),
    source: (user, database) => {
      const id = `${user}\0${database}`;
      let source = sources.get(id);
      if (source === undefined) {
        source = serverSource(registry, routing, user, database);
        sources.set(id, source);
      }
      return source;
    },
    cachedParams: (pool) => params.get(pool),
    rememberParams: (pool, p) => {
      params.set(pool, p);
    },
    checkoutFailure,
    admitClient: () => {
      if (state.clients >= maxClients) return false;
      state.clients++;
      return true;
    },
    releaseClient: () => {
      state.clients--;
    },
  };
}

/** The table and the shared plan cache, when some database has a choice to make; else null. */
async function routingContext(
  config: DeepReadonly<NormalizedConfig>,
  snapshot: RuntimeSnapshot,
  given: RoutingTable | undefined,
  routed: (user: string, database: string) => boolean,
): Promise<RoutingContext | null> {
  const any = [...snapshot.databases.keys()].some((db) => [...snapshot.users.keys()].some((user) => routed(user, db)));
  if (!any) return null;
  const [table] = await Promise.all([given ?? compileRoutingTable(config), loadSqlParser()]);
  return { table, cache: new PlanCache({ limit: snapshot.general.query_cache_limit }), aggressive: snapshot.balance.aggressive };
}

function serverSource(
  registry: PoolRegistry,
  routing: { routing: RoutingContext; routed: (user: string, database: string) => boolean } | null,
  user: string,
  database: string,
): ServerSource | null {
  if (routing !== null && routing.routed(user, database)) {
    const balancer = registry.balancer(user, database);
    return balancer === null ? null : { pool: balancer, routing: routing.routing };
  }
  // One host: its pool as it is, and the frames are never read.
  const pool = registry.hostPool(user, database, 0, 0);
  return pool === null ? null : { pool, routing: null };
}

/** Frontend limits, with query_size_limit (whole frame, header included) on Query and Parse. */
export function clientLengthLimits(querySizeLimit: number | undefined): Int32Array {
  const limits = frontendLengthLimits();
  if (querySizeLimit !== undefined) {
    const length = Math.max(4, querySizeLimit - 1);
    limits[FrontendCode.Query] = Math.min(limits[FrontendCode.Query], length);
    limits[FrontendCode.Parse] = Math.min(limits[FrontendCode.Parse], length);
  }
  return limits;
}

/** The entry for this database, else any entry of the user's, so the exchange runs either way. */
function credentialsFor(snapshot: RuntimeSnapshot, user: string, database: string): ClientCredentials | undefined {
  const entry = snapshot.userFor(user, database) ?? snapshot.users.get(user)?.[0];
  if (entry === undefined) return undefined;
  const passwords = entry.password !== undefined ? [entry.password, ...entry.passwords] : [...entry.passwords];
  return entry.passwordHash !== undefined ? { passwords, passwordHash: entry.passwordHash } : { passwords };
}

/** Pool and server errors map to what the client is told here, in one place. */
function checkoutFailure(err: unknown): CheckoutFailure {
  if (err !== null && typeof err === 'object' && 'sqlstate' in err && typeof err.sqlstate === 'string' && err instanceof Error) {
    return { sqlstate: err.sqlstate, message: err.message };
  }
  return { sqlstate: SqlState.ConnectionFailure, message: `pgdog: ${err instanceof Error ? err.message : String(err)}` };
}

/** How long close() waits for pools to report every server socket closed. */
const CLOSE_POOLS_TIMEOUT_MS = 5000;

function waitOrTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
