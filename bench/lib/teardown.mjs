// Helpers the bench starts (PgBouncer, the pgdog child, pgbench) and the temp dirs it writes:
// stopped and removed in order on a normal end, and synchronously on exit when the run is
// interrupted or fails half-way.

import { rmSync } from 'node:fs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {Set<string>} */
const dirs = new Set();
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
}

/** @param {import('node:child_process').ChildProcess} child */
export function trackChild(child) {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** @param {string} dir */
export function trackDir(dir) {
  install();
  dirs.add(dir);
}

/** @param {string} dir */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/**
 * Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL.
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 * @param {number} graceMs
 * @returns {Promise<void>}
 */
export async function stopChild(child, signal, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
