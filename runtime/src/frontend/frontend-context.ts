import type { PlanCache } from '@pgdog/compiler';
import type { Logger } from 'pino';
import type { ClientCredentials } from '../auth/client-auth.js';
import type { RuntimeSnapshot } from '../config/snapshot.js';
import type { CancelRegistry } from './cancel-registry.js';
import type { CheckoutFailure, PoolPort } from './server-port.js';
import type { RoutingContext } from './query-router.js';
import type { ClientTls } from './tls.js';
import type { TrackingContext } from './session-tracking.js';

/** Everything a session needs from the running server; built once by server.ts. */
export interface FrontendContext {
  /** Read once per login; replaced whole on reload. */
  readonly snapshot: RuntimeSnapshot;
  readonly tls: ClientTls;
  readonly cancels: CancelRegistry;
  readonly logger: Logger;
  /** Per-code length limits for client frames (query_size_limit applied to Q and P when blocking). */
  readonly framerLimits: Int32Array;
  /** query_size_limit when its action is `warn`, else Infinity. */
  readonly querySizeWarn: number;
  /** SQL analysis shared by routing and statement mode; the parser is loaded whenever either needs it. */
  readonly sqlPlans: PlanCache;
  /** Named statements and session parameters across servers (transaction / statement mode); null: off. */
  readonly tracking: TrackingContext | null;
  /** True once a graceful shutdown has started: new logins are refused. */
  readonly shuttingDown: boolean;
  /** Credentials for the password exchange: the entry for this database, else any of the user's. */
  credentials(user: string, database: string): ClientCredentials | undefined;
  /**
   * Where a user's statements for a database go: a pool (one host, frames pass through) or a
   * balancer with the routing context. null when the user may not use the database.
   */
  source(user: string, database: string): ServerSource | null;
  /** ParameterStatus values last seen on one of the pool's servers. */
  cachedParams(pool: PoolPort): ReadonlyMap<string, string> | undefined;
  rememberParams(pool: PoolPort, params: ReadonlyMap<string, string>): void;
  /** A checkout rejection as the client should see it. */
  checkoutFailure(err: unknown): CheckoutFailure;
  /** Takes a client slot for a login; false when max_client_connections are in use. */
  admitClient(): boolean;
  releaseClient(): void;
}

export interface ServerSource {
  readonly pool: PoolPort;
  /** null: one host and nothing to decide, so no statement is ever analysed. */
  readonly routing: RoutingContext | null;
}
