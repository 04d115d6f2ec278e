import { join } from 'node:path';
import { resolveInstall } from './binaries.js';
import { ensureSession, trackDataDir } from './cleanup.js';
import { copyDataDir } from './copy-dir.js';
import type { SettingValue } from './quote.js';
import { createRoleSql, normalizeDatabase, userRules, type DatabaseSpec, type UserSpec } from './roles.js';
import { PgServer, nextServerName } from './server.js';
import { templateFor } from './template.js';

export interface StartOptions {
  /** Roles created after start, with pg_hba rules written before start (no reload needed). */
  readonly users?: readonly UserSpec[];
  /** Databases created after the users (so they can own them). */
  readonly databases?: readonly (string | DatabaseSpec)[];
  /** Extra postgresql.conf settings, e.g. { log_connections: 'on' }. */
  readonly settings?: Readonly<Record<string, SettingValue>>;
  /** max_connections (default 300). */
  readonly maxConnections?: number;
  /** `system`, `embedded` or a bin dir; default $PGDOG_TEST_PG_BIN, else auto. */
  readonly bin?: string;
}

/**
 * Starts a throwaway server: copy of the process's template data dir (initdb runs once, on
 * the first call), free loopback port, superuser `postgres` with a random password.
 */
export async function startPostgres(opts: StartOptions = {}): Promise<PgServer> {
  const install = resolveInstall(opts.bin);
  const template = await templateFor(install);
  const session = ensureSession(install.runAs);
  const name = nextServerName('s');
  const users = opts.users ?? [];
  const server = new PgServer({
    name,
    install,
    dataDir: join(session, name),
    logFile: join(session, `${name}.log`),
    superuser: template.superuser,
    superpassword: template.superpassword,
    hbaRules: users.flatMap(userRules),
    passwords: new Map(),
    primary: null,
  });
  try {
    trackDataDir(server.dataDir);
    await copyDataDir(install, template.dir, server.dataDir);
    const settings = { ...(opts.maxConnections ? { max_connections: opts.maxConnections } : {}), ...opts.settings };
    if (Object.keys(settings).length > 0) server.appendSettings(settings);
    server.writeHba();
    await server.startOnFreePort();
    for (const u of users) {
      await server.query(createRoleSql(u));
      server.rememberUser(u);
    }
    for (const db of opts.databases ?? []) await server.createDatabase(normalizeDatabase(db));
  } catch (err) {
    await server.destroy();
    throw err;
  }
  return server;
}
