// Test support: PoolSettings for one PostgreSQL host, with the config defaults and overrides.

import type { DatabaseEntry, HostSpec, PoolSettings } from '../../src/config/snapshot.js';

export interface TestHost {
  readonly host: string;
  readonly port: number;
}

export function poolSettings(server: TestHost, user: string, password: string | null, over: Partial<PoolSettings> = {}): PoolSettings {
  const host: HostSpec = {
    host: server.host,
    port: server.port,
    databaseName: 'postgres',
    shard: 0,
    role: 'primary',
    // Only the snapshot reads the entry; pools use the resolved fields.
    entry: {} as DatabaseEntry,
  };
  return {
    key: { user, database: 'postgres', shard: 0, role: 'primary' },
    hosts: [host],
    poolSize: 5,
    minPoolSize: 0,
    poolerMode: 'transaction',
    serverUser: user,
    serverPasswords: password === null ? [] : [password],
    databaseName: 'postgres',
    startupParams: {},
    connectTimeoutMs: 5000,
    connectAttempts: 1,
    connectAttemptDelayMs: 0,
    checkoutTimeoutMs: 5000,
    queryTimeoutMs: null,
    rollbackTimeoutMs: 5000,
    idleTimeoutMs: 60_000,
    serverLifetimeMs: 86_400_000,
    serverLifetimeJitterMs: 0,
    healthcheckIntervalMs: 30_000,
    healthcheckTimeoutMs: 5000,
    idleHealthcheckIntervalMs: 0,
    idleHealthcheckDelayMs: 0,
    tls: { mode: 'disabled', caFile: undefined, certFile: undefined, keyFile: undefined },
    ...over,
  };
}
