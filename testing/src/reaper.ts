import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPostmasterOf, killPostmastersSync, processAlive, processStartTicks, readPostmasterPid } from './postmaster.js';
import { OWNER_FILE, candidateRoots, currentSessionDir, type OwnerRecord } from './session-dir.js';

/** A session dir without an owner file younger than this may still be being created. */
const UNOWNED_GRACE_MS = 60_000;

export interface Liveness {
  alive(pid: number): boolean;
  startTicks(pid: number): string | null;
}

const systemLiveness: Liveness = { alive: processAlive, startTicks: processStartTicks };

/** Decides whether a session dir was abandoned by a process that no longer runs. */
export function isOrphan(owner: OwnerRecord | null, ageMs: number, live: Liveness): boolean {
  if (owner === null) return ageMs > UNOWNED_GRACE_MS;
  if (!live.alive(owner.pid)) return true;
  // Same pid, different start time: the owner died and its pid was reused.
  const ticks = live.startTicks(owner.pid);
  return owner.startTicks !== null && ticks !== null && ticks !== owner.startTicks;
}

function readOwner(dir: string): OwnerRecord | null {
  try {
    const rec = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
    return typeof rec.pid === 'number' ? rec : null;
  } catch {
    return null;
  }
}

export interface ReapedSession {
  readonly dir: string;
  /** Postmasters that were still running and got an immediate shutdown. */
  readonly postmasters: number[];
}

/**
 * Stops the postmasters of sessions whose owner process is dead (e.g. SIGKILLed test runs)
 * and deletes their dirs. Called once when a process creates its own session; exported so
 * tests and scripts can run it explicitly.
 */
export function reapOrphans(roots: readonly string[] = candidateRoots(), live: Liveness = systemLiveness): ReapedSession[] {
  return roots.flatMap((root) => reapRoot(root, live));
}

function reapRoot(root: string, live: Liveness): ReapedSession[] {
  if (!existsSync(root)) return [];
  const reaped: ReapedSession[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    if (dir === currentSessionDir()) continue;
    try {
      const st = statSync(dir);
      if (!st.isDirectory() || !isOrphan(readOwner(dir), Date.now() - st.mtimeMs, live)) continue;
      const pids: number[] = [];
      for (const sub of readdirSync(dir)) {
        const dataDir = join(dir, sub);
        const pid = readPostmasterPid(dataDir);
        if (pid !== null && isPostmasterOf(pid, dataDir)) pids.push(pid);
      }
      killPostmastersSync(pids);
      rmSync(dir, { recursive: true, force: true });
      reaped.push({ dir, postmasters: pids });
    } catch {
      // Another process reaped it concurrently, or it belongs to a user we cannot touch.
    }
  }
  return reaped;
}
