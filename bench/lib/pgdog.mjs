// pgdog under benchmark: a config written to a temp dir and bench/pgdog-child.mjs as a child process.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { removeDir, stopChild, trackChild, trackDir } from './teardown.mjs';

const childScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'pgdog-child.mjs');

/**
 * pgdog.toml and users.toml for one database on one server. Pure.
 * @param {{ serverPort: number, database: string, user: string, password: string, poolSize: number, workers?: number }} p
 * @returns {{ pgdog: string, users: string }}
 */
export function pgdogConfig(p) {
  const q = JSON.stringify;
  return {
    pgdog: `[general]
host = "127.0.0.1"
port = 6432
default_pool_size = ${p.poolSize}
${p.workers === undefined ? '' : `workers = ${p.workers}\n`}log_connections = false
log_disconnections = false
# As PgBouncer's server_tls_sslmode = disable: no SSLRequest per server connection.
tls_verify = "disabled"

[[databases]]
name = ${q(p.database)}
host = "127.0.0.1"
port = ${p.serverPort}
`,
    users: `[[users]]
name = ${q(p.user)}
password = ${q(p.password)}
database = ${q(p.database)}
`,
  };
}

/**
 * `runtimeDir`: a copy of another build's runtime/dist/src to run instead of @pgdog/runtime.
 * @param {{ serverPort: number, database: string, user: string, password: string, poolSize: number,
 *   workers?: number, profileDir?: string, runtimeDir?: string }} p
 * @returns {Promise<{ pid: number, port: number, stop(): Promise<void>, stderr(): string }>}
 */
export async function startPgdogChild(p) {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-bench-pgdog-'));
  trackDir(dir);
  const cfg = pgdogConfig(p);
  writeFileSync(join(dir, 'pgdog.toml'), cfg.pgdog);
  writeFileSync(join(dir, 'users.toml'), cfg.users, { mode: 0o600 });
  const nodeArgs = [];
  if (p.profileDir !== undefined) {
    mkdirSync(p.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', p.profileDir);
  }
  const child = spawn(process.execPath, [...nodeArgs, childScript, join(dir, 'pgdog.toml'), join(dir, 'users.toml')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: p.runtimeDir === undefined ? process.env : { ...process.env, PGDOG_RUNTIME_ENTRY: pathToFileURL(join(p.runtimeDir, 'index.js')).href },
  });
  trackChild(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
  const stop = async () => {
    await stopChild(child, 'SIGTERM');
    removeDir(dir);
  };
  try {
    const port = await readPort(child);
    return { pid: /** @type {number} */ (child.pid), port, stop, stderr: () => stderr };
  } catch (err) {
    await stop();
    throw new Error(`pgdog did not start: ${err instanceof Error ? err.message : err}\n${stderr}`);
  }
}

/** @param {import('node:child_process').ChildProcess} child @returns {Promise<number>} */
function readPort(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('no port line within 30 s')), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.slice(0, nl)).port);
      } catch {
        reject(new Error(`unexpected output: ${out.slice(0, nl)}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code ?? signal}`));
    });
  });
}
