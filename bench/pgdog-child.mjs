#!/usr/bin/env node
// The pgdog process under benchmark: loads pgdog.toml + users.toml through the compiler, starts the
// proxy on a free port and prints {"port": N} on stdout. Runs apart from the bench so that its
// CPU time can be read from /proc on its own. SIGTERM / SIGINT or stdin closing stop it.
//
// usage: node bench/pgdog-child.mjs PGDOG_TOML USERS_TOML [LOG_LEVEL]
// PGDOG_RUNTIME_ENTRY (a file URL of another build's index.js) runs that build instead (--baseline).

import { loadConfig } from '@pgdog/compiler';

/** @type {typeof import('@pgdog/runtime')} */
const { createLogger, startServer } = await import(process.env.PGDOG_RUNTIME_ENTRY || '@pgdog/runtime');

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
const logger = createLogger({ level, format: 'json', destination: process.stderr });
const server = await startServer(loaded.config, { port: 0, logger });
process.stdout.write(JSON.stringify({ port: server.port, pid: process.pid }) + '\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(false).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The bench holds our stdin open; EOF means it is gone, so do not outlive it.
process.stdin.on('end', stop).resume();
