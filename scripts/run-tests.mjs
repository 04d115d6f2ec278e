#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under each workspace's dist/) in ONE `node --test`
// process tree, so CI sees a single pass/fail summary. Node 20's --test has no glob support, so
// the file list is built here. Optional arguments restrict the run to the named workspaces.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspaces = ['schemas', 'testing', 'compiler', 'runtime', 'cli'];
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const ws of workspaces) {
  if (only.length && !only.includes(ws)) continue;
  collect(join(root, ws, 'dist'), files);
}
if (files.length === 0) {
  console.error('run-tests: no compiled test files found; run `npm run build` first');
  process.exit(1);
}

const concurrency = process.env.PGDOG_TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  // Not --test-force-exit: on Node 20 it ends a file before tests registered after a top-level
  // await have run, silently dropping them. A hang is caught by the watchdog below instead.
  ['--test', `--test-concurrency=${concurrency}`, ...passThrough, ...files],
  { stdio: 'inherit', cwd: root },
);
// The whole suite takes a few minutes; a run this long is a hang, and it should fail clearly
// rather than use up CI's time limit.
const limitMs = Number(process.env.PGDOG_TEST_TIMEOUT_MS ?? 20 * 60_000);
const watchdog = setTimeout(() => {
  console.error(`run-tests: the suite did not finish within ${limitMs} ms; killing it`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}, limitMs);
watchdog.unref();
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
