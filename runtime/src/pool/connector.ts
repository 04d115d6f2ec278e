// Opening one server connection for a pool: connect_attempts tries with connect_attempt_delay
// between them, and each configured password in turn while the server answers 28P01 (a password
// rotation lists the old and the new one).

import { setTimeout as sleep } from 'node:timers/promises';
import { ServerConnection } from '../backend/server-connection.js';
import { ServerError } from '../backend/server-error.js';
import type { ServerTlsOptions } from '../backend/connect-socket.js';
import { SqlState } from '../protocol/sqlstate.js';
import type { HostSpec, PoolSettings } from '../config/snapshot.js';

export type ServerConnector = (settings: PoolSettings, host: HostSpec, tls: ServerTlsOptions) => Promise<ServerConnection>;

export const connectServer: ServerConnector = async (settings, host, tls) => {
  let lastError: unknown = null;
  for (let attempt = 1; attempt <= settings.connectAttempts; attempt++) {
    if (attempt > 1 && settings.connectAttemptDelayMs > 0) await sleep(settings.connectAttemptDelayMs);
    try {
      return await connectWithPasswords(settings, host, tls);
    } catch (e) {
      lastError = e;
      // The server answered: another try would get the same answer.
      if (e instanceof ServerError && e.fromServer && !retryable(e.sqlstate)) throw e;
    }
  }
  throw lastError;
};

async function connectWithPasswords(settings: PoolSettings, host: HostSpec, tls: ServerTlsOptions): Promise<ServerConnection> {
  const passwords: (string | null)[] = settings.serverPasswords.length > 0 ? [...settings.serverPasswords] : [null];
  for (let i = 0; ; i++) {
    try {
      return await ServerConnection.connect(
        { host: host.host, port: host.port },
        {
          user: settings.serverUser,
          password: passwords[i],
          database: host.databaseName,
          startupParams: settings.startupParams,
          connectTimeoutMs: settings.connectTimeoutMs,
          tls,
        },
      );
    } catch (e) {
      const wrongPassword = e instanceof ServerError && e.sqlstate === SqlState.InvalidPassword;
      if (!wrongPassword || i + 1 >= passwords.length) throw e;
    }
  }
}

/** Server refusals that may clear up by themselves: starting up, too many connections. */
function retryable(sqlstate: string): boolean {
  return sqlstate === SqlState.CannotConnectNow || sqlstate === SqlState.TooManyConnections;
}
