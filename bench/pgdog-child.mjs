#!/usr/bin/env node
// The pgdog process under benchmark: loads pgdog.toml + users.toml through the compiler, starts the
// proxy on a free port and prints {"port": N} on stdout. Runs apart from the bench so that its
// CPU time can be read from /proc on its own. SIGTERM / SIGINT or stdin closing stop it.
//
// With general.workers > 1 it is the primary: the port line also lists the workers' pids, and the
// bench reads CPU time over the process tree.
//
// usage: node bench/pgdog-child.mjs PGDOG_TOML USERS_TOML [LOG_LEVEL]
// PGDOG_RUNTIME_ENTRY (a file URL of another build's index.js) runs that build instead (--baseline).

import { loadConfig } from '@pgdog/compiler';

/** @type {typeof import('@pgdog/runtime')} */
const { createLogger, startPrimary, startServer, workerLink } = await import(process.env.PGDOG_RUNTIME_ENTRY || '@pgdog/runtime');

const [configPath, usersPath, level = 'warn'] = process.argv.slice(2);
if (!configPath || !usersPath) {
  process.stderr.write('usage: pgdog-child.mjs PGDOG_TOML USERS_TOML [LOG_LEVEL]\n');
  process.exit(2);
}

const loaded = await loadConfig({ configPath, usersPath });
if (loaded.config === null) {
  process.stderr.write(`invalid config: ${JSON.stringify(loaded.errors, null, 2)}\n`);
  process.exit(1);
}
// stdout carries the port line only; logs go to stderr.
const rootLogger = createLogger({ level, format: 'json', destination: process.stderr });
// general.workers > 1: this process forks the workers as `pgdog serve` does, and they run this script.
const link = typeof workerLink === 'function' ? workerLink() : null;
const workers = loaded.config.pgdog.general.workers;

let stopping = false;
/** @type {(graceful: boolean) => Promise<void>} */
let close;
if (link === null && workers > 1 && typeof startPrimary === 'function') {
  const primary = await startPrimary({ workers, logger: rootLogger, shutdownTimeoutMs: 5000 });
  process.stdout.write(JSON.stringify({ port: primary.port, pid: process.pid, workers: primary.pids() }) + '\n');
  close = (graceful) => primary.close(graceful);
} else {
  const logger = link === null ? rootLogger : rootLogger.child({ worker: link.index });
  const server = await startServer(loaded.config, { port: 0, logger, worker: link ?? undefined });
  close = (graceful) => server.close(graceful);
  if (link !== null) {
    link.onCancel((processId, secretKey) => server.cancel(processId, secretKey));
    link.onClose((graceful) => stop(graceful));
    link.ready(server.port);
  } else process.stdout.write(JSON.stringify({ port: server.port, pid: process.pid }) + '\n');
}

function stop(graceful = false) {
  if (stopping) return;
  stopping = true;
  close(graceful).finally(() => process.exit(0));
}
if (link === null) {
  process.on('SIGTERM', () => stop());
  process.on('SIGINT', () => stop());
  // The bench holds our stdin open; EOF means it is gone, so do not outlive it.
  process.stdin.on('end', () => stop()).resume();
} else {
  // Orders come from the primary; a signal to the whole group must not stop a worker twice.
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => {});
}
