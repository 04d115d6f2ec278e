// `pgdog serve` as a library call: snapshot + pools + listener + logger, wired once.

import { compileRoutingTable, loadSqlParser, PlanCache, type DeepReadonly, type NormalizedConfig, type RoutingTable } from '@pgdog/compiler';
import { needsRouting } from './balance/routing-need.js';
import type { ClientCredentials } from './auth/client-auth.js';
import { buildSnapshot, type RuntimeSnapshot } from './config/snapshot.js';
import type { ReloadPlan } from './config/snapshot-diff.js';
import { PoolHandle } from './pool/pool-handle.js';
import { logReload, needsSqlParser } from './server-reload.js';
import { CancelRegistry, type CancelSlot } from './frontend/cancel-registry.js';
import type { FrontendContext, ServerSource } from './frontend/frontend-context.js';
import type { RoutingContext } from './frontend/query-router.js';
import type { TrackingContext } from './frontend/session-tracking.js';
import { ServerStatementsRegistry, StatementCache } from './prepared/index.js';
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
import { partOf, type WorkerShare } from './workers/worker-share.js';

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
  /**
   * This process is one worker of several (general.workers): its pools and client limit are its
   * part of the configured totals, and CancelRequests for the other workers' sessions are relayed.
   */
  readonly worker?: CancelSlot;
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

export interface ReloadOptions {
  /** `pgdog serve --routes`: the table re-read from its file; default: compiled from `config`. */
  readonly routingTable?: RoutingTable;
}

export type ReloadOutcome = { readonly ok: true; readonly plan: ReloadPlan } | { readonly ok: false; readonly error: string };

export interface RunningServer {
  readonly port: number;
  readonly logger: Logger;
  /**
   * Swaps in a new configuration (already validated by loadConfig): new logins use its users,
   * passwords, databases and pool settings; pools whose settings did not change keep their
   * servers; the others are drained (a transaction in flight finishes on its old server) and
   * their clients move to the new pool at their next transaction. Logs a summary. On failure
   * (unreadable TLS files, a routing table that does not compile) nothing changes.
   */
  reload(config: DeepReadonly<NormalizedConfig>, opts?: ReloadOptions): Promise<ReloadOutcome>;
  /**
   * Stops accepting. Graceful (default): idle clients are told 57P01 and closed now, the others
   * when their transaction ends, all of them by general.shutdown_timeout; then the pools close.
   */
  close(graceful?: boolean): Promise<void>;
  stats(): ServerStats;
  /** A CancelRequest another worker received for one of this process's sessions. */
  cancel(processId: number, secretKey: Uint8Array): void;
}

export async function startServer(config: DeepReadonly<NormalizedConfig>, opts: StartServerOptions = {}): Promise<RunningServer> {
  const share: WorkerShare | undefined = opts.worker;
  const snapshot = buildSnapshot(config, share);
  const general = snapshot.general;
  const logger = opts.logger ?? createLogger({ level: general.log_level, format: general.log_format });
  const sqlPlans = new PlanCache({ limit: general.query_cache_limit });
  const routedBy = routedPredicate(config, snapshot);
  const routing = await routingContext(config, snapshot, opts.routingTable, routedBy, sqlPlans);
  // Session tracking (transaction mode) parses the few statements that change a session.
  await loadSqlParser();
  const tracking = trackingContext(general, sqlPlans);
  let live: LiveConfig = liveConfig(snapshot, createClientTls(general), routing === null ? null : { routing, routed: routedBy }, share);
  const registry = new PoolRegistry(snapshot, { logger, random: opts.random });
  const state = { shuttingDown: false, clients: 0 };
  const handles = new Map<string, PoolHandle>();
  const ctx = frontendContext(() => live, registry, logger, state, sqlPlans, handles, tracking, opts.worker ?? null);
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
  logger.info({ host, port, tls: live.tls.context !== null, databases: [...snapshot.databases.keys()] }, 'pgdog is listening');

  let closing: Promise<void> | null = null;
  const close = async (graceful: boolean): Promise<void> => {
    state.shuttingDown = true;
    listener.stopAccepting();
    if (graceful) {
      for (const s of [...listener.sessions]) s.beginShutdown();
      await waitOrTimeout(listener.drained(), live.snapshot.general.shutdown_timeout);
      if (listener.sessions.size > 0) logger.warn({ clients: listener.sessions.size }, 'shutdown_timeout reached: closing the remaining clients');
    }
    for (const s of [...listener.sessions]) s.shutdownNow();
    await waitOrTimeout(listener.drained(), 1000);
    await (graceful ? waitOrTimeout(registry.drainAll(), 1000) : Promise.resolve());
    // Closing is bounded too: a server socket that never reports 'close' must not keep the
    // process from exiting (connects in flight are already bounded by connect_timeout).
    await waitOrTimeout(registry.closeAll(), CLOSE_POOLS_TIMEOUT_MS);
  };

  /** Everything that can fail runs before the first change, so a failed reload changes nothing. */
  const reload = async (next: DeepReadonly<NormalizedConfig>, ropts: ReloadOptions): Promise<ReloadOutcome> => {
    if (state.shuttingDown) return { ok: false, error: 'shutting down' };
    let plan: ReloadPlan;
    try {
      const nextSnapshot = buildSnapshot(next, share);
      const tls = createClientTls(nextSnapshot.general);
      const nextRoutedBy = routedPredicate(next, nextSnapshot);
      const nextRouting = await routingContext(next, nextSnapshot, ropts.routingTable, nextRoutedBy, sqlPlans);
      if (needsSqlParser(next)) await loadSqlParser();
      if (state.shuttingDown) return { ok: false, error: 'shutting down' };
      const previous = live.snapshot;
      plan = registry.reload(nextSnapshot, { host: opts.host, port: opts.port }).plan;
      live = liveConfig(nextSnapshot, tls, nextRouting === null ? null : { routing: nextRouting, routed: nextRoutedBy }, share);
      sqlPlans.setLimit(nextSnapshot.general.query_cache_limit);
      if (previous.general.log_level !== nextSnapshot.general.log_level) logger.level = nextSnapshot.general.log_level;
      // Clients logged in keep their handle; it now leads to the new pool (or refuses, if gone).
      for (const [id, handle] of handles) {
        const [user, database] = id.split('\0');
        handle.point(serverSource(registry, live.routing, user, database)?.pool ?? null);
      }
      registry.prewarm();
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    logReload(logger, plan);
    return { ok: true, plan };
  };
  let reloading: Promise<unknown> = Promise.resolve();

  return {
    port,
    logger,
    close(graceful = true): Promise<void> {
      // A second, forced close must not wait for the first one's timers.
      if (closing === null || !graceful) closing = close(graceful);
      return closing;
    },
    reload(next, ropts = {}): Promise<ReloadOutcome> {
      // One at a time: a second SIGHUP during a reload applies after it.
      const run = reloading.then(() => reload(next, ropts));
      reloading = run;
      return run;
    },
    stats(): ServerStats {
      return {
        connections: listener.sessions.size,
        clients: state.clients,
        pools: registry.stats().map((p) => ({ name: p.name, stats: p.stats })),
        hosts: registry.hostStats(),
      };
    },
    cancel(processId, secretKey): void {
      ctx.cancels.cancelHere(processId, secretKey);
    },
  };
}

type Routed = (user: string, database: string) => boolean;

/** What a reload replaces whole; sessions read it through the context's getters at login. */
interface LiveConfig {
  readonly snapshot: RuntimeSnapshot;
  readonly tls: FrontendContext['tls'];
  readonly routing: { routing: RoutingContext; routed: Routed } | null;
  readonly framerLimits: Int32Array;
  readonly querySizeWarn: number;
  readonly maxClients: number;
  /** Sources resolved so far (null: the user may not use the database). */
  readonly sources: Map<string, ServerSource | null>;
  readonly params: WeakMap<PoolPort, ReadonlyMap<string, string>>;
}

function liveConfig(snapshot: RuntimeSnapshot, tls: FrontendContext['tls'], routing: LiveConfig['routing'], share: WorkerShare | undefined): LiveConfig {
  const general = snapshot.general;
  const blockLimit = general.query_size_limit !== undefined && general.query_size_limit_action === 'block' ? general.query_size_limit : undefined;
  return {
    snapshot,
    tls,
    routing,
    framerLimits: clientLengthLimits(blockLimit),
    querySizeWarn: general.query_size_limit !== undefined && blockLimit === undefined ? general.query_size_limit : Infinity,
    maxClients: partOf(general.max_client_connections ?? Infinity, share, 1),
    sources: new Map(),
    // Server parameters are learnt again: a reload may have moved a database to another host.
    params: new WeakMap(),
  };
}

function routedPredicate(config: DeepReadonly<NormalizedConfig>, snapshot: RuntimeSnapshot): Routed {
  return (user, database) => {
    const db = snapshot.databases.get(database);
    return db !== undefined && needsRouting({ shardHosts: db.shards.map((s) => s.hosts.length), rules: config.pgdog.query_rules, database, user });
  };
}

function frontendContext(
  live: () => LiveConfig,
  registry: PoolRegistry,
  logger: Logger,
  state: { shuttingDown: boolean; clients: number },
  sqlPlans: PlanCache,
  handles: Map<string, PoolHandle>,
  tracking: TrackingContext | null,
  cancelSlot: CancelSlot | null,
): FrontendContext {
  return {
    get snapshot() {
      return live().snapshot;
    },
    get tls() {
      return live().tls;
    },
    cancels: new CancelRegistry(cancelSlot),
    logger,
    get framerLimits() {
      return live().framerLimits;
    },
    get querySizeWarn() {
      return live().querySizeWarn;
    },
    sqlPlans,
    tracking,
    get shuttingDown() {
      return state.shuttingDown;
    },
    credentials: (user, database) => credentialsFor(live().snapshot, user, database),
    source: (user, database) => {
      const { sources, routing } = live();
      const id = `${user}\0${database}`;
      let source = sources.get(id);
      if (source === undefined) {
        source = serverSource(registry, routing, user, database);
        if (source !== null) {
          // Clients hold the handle, so a reload can move them to a replacement pool.
          let handle = handles.get(id);
          if (handle === undefined) {
            handle = new PoolHandle(`${user}@${database}`, source.pool);
            handles.set(id, handle);
          } else handle.point(source.pool);
          source = { pool: handle, routing: source.routing };
        }
        sources.set(id, source);
      }
      return source;
    },
    cachedParams: (pool) => live().params.get(pool),
    rememberParams: (pool, p) => {
      live().params.set(pool, p);
    },
    checkoutFailure,
    admitClient: () => {
      if (state.clients >= live().maxClients) return false;
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
  routed: Routed,
  cache: PlanCache,
): Promise<RoutingContext | null> {
  const any = [...snapshot.databases.keys()].some((db) => [...snapshot.users.keys()].some((user) => routed(user, db)));
  if (!any) return null;
  const [table] = await Promise.all([given ?? compileRoutingTable(config), loadSqlParser()]);
  return { table, cache, aggressive: snapshot.balance.aggressive };
}

function serverSource(
  registry: PoolRegistry,
  routing: LiveConfig['routing'],
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

/**
 * Named statements and session parameters across servers. prepared_statements: `disabled` passes
 * named statements through (they stay on the server that parsed them); `extended`,
 * `extended_anonymous` and `full` give named statements pgdog's names on every server (unnamed
 * ones and SQL PREPARE are never renamed: SQL PREPARE pins the client to its server instead).
 */
function trackingContext(general: RuntimeSnapshot['general'], plans: PlanCache): TrackingContext {
  return {
    statements: general.prepared_statements === 'disabled' ? null : new StatementCache(),
    registry: new ServerStatementsRegistry(general.prepared_statements_limit ?? 0),
    serverParams: new WeakMap(),
    plans,
  };
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
