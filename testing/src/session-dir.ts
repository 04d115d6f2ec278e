import { accessSync, chmodSync, chownSync, constants, mkdirSync, mkdtempSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunAs } from './binaries.js';
import { processStartTicks } from './postmaster.js';

/** Env var overriding the parent of the harness's temp dirs (default: /dev/shm if roomy, else os.tmpdir()). */
export const TMP_ENV = 'PGDOG_TEST_TMPDIR';
/** File in each session dir naming the process that owns it. */
export const OWNER_FILE = 'owner.json';

/** Identifies the owning process; startTicks guards against a recycled pid. */
export interface OwnerRecord {
  readonly pid: number;
  readonly startTicks: string | null;
  readonly created: number;
}

const SHM = '/dev/shm';
/** tmpfs is used only with this much room: data dirs are ~40 MB plus WAL and test data. */
const SHM_MIN_FREE = 2 * 1024 ** 3;

function roomyTmpfs(): boolean {
  try {
    accessSync(SHM, constants.W_OK);
    const st = statfsSync(SHM);
    return st.bavail * st.bsize >= SHM_MIN_FREE;
  } catch {
    return false;
  }
}

/**
 * Parent of every session dir, so a later run can find and reap orphans. Prefers tmpfs:
 * four parallel template copies took ~1.2 s on this machine's disk-backed /tmp and ~0.25 s
 * on /dev/shm (fsync is off either way).
 */
export function sessionsRoot(): string {
  const env = process.env[TMP_ENV];
  if (env) return join(env, 'pgdog-pg');
  return join(roomyTmpfs() ? SHM : tmpdir(), 'pgdog-pg');
}

/** Every root a previous run may have used (the env var or free space may have changed). */
export function candidateRoots(): string[] {
  const roots = [join(SHM, 'pgdog-pg'), join(tmpdir(), 'pgdog-pg')];
  const env = process.env[TMP_ENV];
  if (env) roots.unshift(join(env, 'pgdog-pg'));
  return [...new Set(roots)];
}

let current: string | null = null;

/** This process's session dir (created on first use): template + one dir per server. */
export function sessionDir(runAs: RunAs | null): string {
  if (current !== null) return current;
  const root = sessionsRoot();
  mkdirSync(root, { recursive: true });
  // Sticky and world-writable like /tmp: runs as root and as other users share the root.
  try {
    chmodSync(root, 0o1777);
  } catch {
    // Owned by another user who already set it up.
  }
  const dir = mkdtempSync(join(root, `${process.pid}-`));
  const owner: OwnerRecord = { pid: process.pid, startTicks: processStartTicks(process.pid), created: Date.now() };
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
  // initdb, pg_basebackup and the server write logs here as the unprivileged user.
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  current = dir;
  return dir;
}

/** The session dir if one was created, else null. */
export function currentSessionDir(): string | null {
  return current;
}
