import { rmSync } from 'node:fs';
import { isPostmasterOf, killPostmastersSync, readPostmasterPid } from './postmaster.js';
import type { RunAs } from './binaries.js';
import { reapOrphans } from './reaper.js';
import { currentSessionDir, sessionDir } from './session-dir.js';

/** Data dirs whose postmaster may be running; killed if the process exits without stopAll(). */
const tracked = new Set<string>();
let installed = false;

export function trackDataDir(dataDir: string): void {
  installHandlers();
  tracked.add(dataDir);
}

export function untrackDataDir(dataDir: string): void {
  tracked.delete(dataDir);
}

/**
 * Synchronous last-resort cleanup: immediate shutdown of every tracked postmaster, then
 * removal of the whole session dir (servers and template). Safe to call more than once.
 */
export function cleanupSync(): void {
  const pids: number[] = [];
  for (const dir of tracked) {
    const pid = readPostmasterPid(dir);
    if (pid !== null && isPostmasterOf(pid, dir)) pids.push(pid);
  }
  tracked.clear();
  killPostmastersSync(pids);
  const session = currentSessionDir();
  if (session !== null) rmSync(session, { recursive: true, force: true });
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(sig: NodeJS.Signals): void {
  cleanupSync();
  // If nobody else handles the signal, restore the default action so the process still
  // dies of it (exit status 128+n) instead of lingering.
  if (process.listenerCount(sig) === 1) {
    process.removeListener(sig, onSignal);
    process.kill(process.pid, sig);
  }
}

/** Installed once, lazily, when the first server is tracked. */
function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

/**
 * This process's session dir, created on first call. Creating it installs the exit/signal
 * handlers and reaps sessions left behind by dead processes.
 */
export function ensureSession(runAs: RunAs | null): string {
  const existing = currentSessionDir();
  if (existing !== null) return existing;
  installHandlers();
  const dir = sessionDir(runAs);
  reapOrphans();
  return dir;
}
