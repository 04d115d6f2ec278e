import { writeBackendKeyData } from '../protocol/backend/backend-key-data.js';
import { writeParameterStatus } from '../protocol/backend/parameter-status.js';
import { READY_FOR_QUERY_IDLE } from '../protocol/constants.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import type { IssuedKey } from './cancel-registry.js';
import { PoolMode, poolMode, type ForwarderOptions } from './forwarder-host.js';
import type { FrontendContext } from './frontend-context.js';
import type { LeasePort, PoolPort } from './server-port.js';
import type { RoutingContext } from './query-router.js';
import { SessionTracking } from './session-tracking.js';
import { parseStartupOptions } from '../params/index.js';

// After a successful password exchange: find the pool, learn the server parameters the client
// must be told about, and build the greeting (ParameterStatus..., BackendKeyData, ReadyForQuery).
// PostgreSQL checks the database after authentication too, so an unknown database reveals
// nothing to a client that does not know a password.

export interface LoginRequest {
  readonly user: string;
  readonly database: string;
  readonly applicationName: string | undefined;
  /** Every startup parameter the client sent (options included, unparsed); none for tests. */
  readonly startup?: ReadonlyMap<string, string>;
}

export type LoginResult =
  | {
      readonly ok: true;
      readonly pool: PoolPort;
      /** Held for the session in session mode; null otherwise. */
      readonly lease: LeasePort | null;
      readonly forwarderOptions: ForwarderOptions;
      /** Routed mode (a choice of hosts, not session mode); null: frames pass through unread. */
      readonly routing: RoutingContext | null;
      /** The client's session state kept across servers; null when nothing is tracked. */
      readonly tracking: SessionTracking | null;
      greeting(key: IssuedKey): Buffer;
    }
  | { readonly ok: false; readonly error: { readonly sqlstate: string; readonly message: string } };

export async function completeLogin(ctx: FrontendContext, req: LoginRequest): Promise<LoginResult> {
  const snapshot = ctx.snapshot;
  // Pool settings of shard 0's primary, else of its replicas (a database may have no primary).
  const settings = snapshot.poolSettings(req.user, req.database) ?? snapshot.poolSettings(req.user, req.database, 0, 'replica');
  const source = settings === null ? null : ctx.source(req.user, req.database);
  if (settings === null || source === null) {
    if (!snapshot.databases.has(req.database)) {
      return { ok: false, error: { sqlstate: SqlState.InvalidCatalogName, message: `database "${req.database}" does not exist` } };
    }
    return {
      ok: false,
      error: { sqlstate: SqlState.InvalidAuthorizationSpecification, message: `user "${req.user}" is not allowed to connect to database "${req.database}"` },
    };
  }
  const pool = source.pool;
  const mode = poolMode(settings.poolerMode);
  let params = ctx.cachedParams(pool);
  let lease: LeasePort | null = null;
  if (params === undefined || mode === PoolMode.Session) {
    // The parameters come from a real server of this pool, so clients see what they would see
    // connecting directly (server_version, encodings, DateStyle, TimeZone...).
    try {
      lease = await pool.checkout({ timeoutMs: settings.checkoutTimeoutMs });
    } catch (err) {
      return { ok: false, error: ctx.checkoutFailure(err) };
    }
    // A copy: the connection's own map follows later SETs of whoever uses it.
    params = new Map(lease.server.params);
    ctx.rememberParams(pool, params);
    if (mode !== PoolMode.Session) {
      lease.release('clean');
      lease = null;
    }
  }
  const forwarderOptions: ForwarderOptions = {
    mode,
    checkoutTimeoutMs: settings.checkoutTimeoutMs,
    queryTimeoutMs: settings.queryTimeoutMs,
    querySizeWarn: ctx.querySizeWarn,
    crossShardResultLimit: ctx.snapshot.general.cross_shard_result_limit,
    sqlPlans: ctx.sqlPlans,
  };
  const serverParams = params;
  const startup = req.startup ?? new Map<string, string>();
  const tracking = ctx.tracking === null ? null : new SessionTracking(ctx.tracking, Object.fromEntries(startup));
  return {
    ok: true,
    pool,
    lease,
    forwarderOptions,
    // Session mode keeps one server for the whole session: nothing to route per transaction.
    routing: mode === PoolMode.Session ? null : source.routing,
    tracking,
    greeting: (key) => greeting(serverParams, startup, req.applicationName, key),
  };
}

function greeting(params: ReadonlyMap<string, string>, startup: ReadonlyMap<string, string>, applicationName: string | undefined, key: IssuedKey): Buffer {
  const w = new MessageWriter(1024);
  const own = clientValues(startup);
  for (const [name, value] of params) {
    // The server connection was opened by pgdog; the client's own name is the one to report.
    if (name === 'application_name') continue;
    // A reported parameter the client set at startup (TimeZone, DateStyle...) is set on every
    // server it uses, so its own value is the one it would see connecting directly. client_encoding
    // stays the server's: pgdog does not convert.
    const mine = name === 'client_encoding' ? undefined : own.get(name.toLowerCase());
    writeParameterStatus(w, name, mine ?? value);
  }
  writeParameterStatus(w, 'application_name', applicationName ?? '');
  writeBackendKeyData(w, key.processId, key.secretKey);
  w.frames(READY_FOR_QUERY_IDLE);
  return w.take();
}

/** Startup values by lower-case name; `options=-c name=value` settings after plain parameters. */
function clientValues(startup: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of startup) {
    if (name === 'options') for (const o of parseStartupOptions(value)) out.set(o.name, o.value);
  }
  for (const [name, value] of startup) if (name !== 'options') out.set(name.toLowerCase(), value);
  return out;
}
