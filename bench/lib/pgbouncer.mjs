// PgBouncer as the reference pooler: transaction mode, SCRAM with the server's own verifier in
// its auth_file, its own temp dir, a child process of the bench (so its CPU can be sampled).

import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, stopChild, trackChild, trackDir } from './teardown.mjs';
import { waitForPort } from './wait-port.mjs';

/** @returns {string | null} path of the pgbouncer binary */
export function findPgbouncer() {
  const r = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  return path === '' ? null : path;
}

/**
 * pgbouncer.ini text. Pure.
 * @param {{ dir: string, port: number, serverPort: number, database: string, poolSize: number, maxClients: number }} p
 */
export function pgbouncerIni(p) {
  return `[databases]
${p.database} = host=127.0.0.1 port=${p.serverPort} dbname=${p.database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${p.port}
unix_socket_dir =
logfile = ${join(p.dir, 'pgbouncer.log')}
auth_type = scram-sha-256
auth_file = ${join(p.dir, 'userlist.txt')}
pool_mode = transaction
default_pool_size = ${p.poolSize}
max_client_conn = ${p.maxClients}
max_db_connections = 0
log_connections = 0
log_disconnections = 0
server_reset_query =
server_tls_sslmode = disable
ignore_startup_parameters = extra_float_digits
`;
}

/**
 * @param {{ bin: string, port: number, serverPort: number, database: string, user: string, verifier: string,
 *   poolSize: number, runAs: { uid: number, gid: number } | null }} p
 * @returns {Promise<{ pid: number, port: number, dir: string, stop(): Promise<void> }>}
 */
export async function startPgbouncer(p) {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-bench-pgbouncer-'));
  trackDir(dir);
  const ini = join(dir, 'pgbouncer.ini');
  const userlist = join(dir, 'userlist.txt');
  // PgBouncer takes the SCRAM verifier as the password: it checks clients with it and, since
  // they used SCRAM, logs in to the server with the keys the client exchange proved.
  writeFileSync(userlist, `"${p.user}" "${p.verifier}"\n`, { mode: 0o600 });
  writeFileSync(ini, pgbouncerIni({ dir, port: p.port, serverPort: p.serverPort, database: p.database, poolSize: p.poolSize, maxClients: 2000 }));
  if (p.runAs !== null) for (const f of [dir, ini, userlist]) chownSync(f, p.runAs.uid, p.runAs.gid);

  // Spawned with uid/gid directly rather than through runuser: PAM would lower the fd limit.
  const child = spawn(p.bin, [ini], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(p.runAs !== null ? { uid: p.runAs.uid, gid: p.runAs.gid } : {}),
  });
  trackChild(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
  const stop = async () => {
    await stopChild(child, 'SIGINT');
    removeDir(dir);
  };
  try {
    await waitForPort(p.port, { alive: () => child.exitCode === null && child.signalCode === null });
  } catch (err) {
    await stop();
    throw new Error(`pgbouncer did not start: ${err instanceof Error ? err.message : err}\n${stderr}`);
  }
  return { pid: /** @type {number} */ (child.pid), port: p.port, dir, stop };
}
