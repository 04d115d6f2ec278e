import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';

/** The postmaster's pid from DATADIR/postmaster.pid, or null when absent/unreadable. */
export function readPostmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(resolve(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Parses /proc/PID/stat text: state letter and start time (clock ticks since boot). */
export function parseProcStat(text: string): { state: string; startTicks: string; ppid: number } | null {
  // comm (field 2) is parenthesised and may contain spaces or ')'; fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (rest.length < 20) return null;
  return { state: rest[0], ppid: Number(rest[1]), startTicks: rest[19] };
}

function procStat(pid: number): ReturnType<typeof parseProcStat> | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    // No /proc (not Linux): unknown. Vanished: null.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && hasProc() ? null : undefined;
  }
}

let procPresent: boolean | undefined;
function hasProc(): boolean {
  if (procPresent === undefined) {
    try {
      readFileSync('/proc/self/stat');
      procPresent = true;
    } catch {
      procPresent = false;
    }
  }
  return procPresent;
}

/**
 * True while the process exists and is not a zombie. A stopped postmaster is reparented to
 * init, which may reap it late; kill(pid, 0) alone would report the zombie as alive.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const st = procStat(pid);
  if (st === null) return false;
  return st === undefined || (st.state !== 'Z' && st.state !== 'X');
}

/** Start time of a process (to tell a live owner from a recycled pid); null if unknown. */
export function processStartTicks(pid: number): string | null {
  return procStat(pid)?.startTicks ?? null;
}

/** Pids whose parent is `pid` (used by tests to prove no backend survived its postmaster). */
export function childPids(pid: number): number[] {
  if (!hasProc()) return [];
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st && st.ppid === pid && st.state !== 'Z') out.push(Number(name));
  }
  return out;
}

/**
 * True when `pid` is a postmaster serving `dataDir`: the postmaster chdirs into its data
 * directory, so /proc/PID/cwd identifies it even if the pid was recycled.
 */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!processAlive(pid)) return false;
  if (!hasProc()) return true;
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === resolve(dataDir);
  } catch {
    return false;
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Immediate shutdown (what `pg_ctl -m immediate` sends) of several postmasters at once,
 * synchronously, so it can run inside process 'exit' and signal handlers. Escalates to
 * SIGKILL after `graceMs`.
 */
export function killPostmastersSync(pids: readonly number[], graceMs = 3000): void {
  const live = pids.filter((p) => signal(p, 'SIGQUIT'));
  const deadline = Date.now() + graceMs;
  let waiting = live;
  while (waiting.length > 0 && Date.now() < deadline) {
    sleepSync(5);
    waiting = waiting.filter(processAlive);
  }
  for (const p of waiting) signal(p, 'SIGKILL');
}

/** Async variant used by stop()/kill(): signal, then poll until the postmaster is gone. */
export async function signalAndWait(pid: number, sig: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (!signal(pid, sig)) return;
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      throw new Error(`postmaster ${pid} did not exit within ${timeoutMs} ms after ${sig}; sent SIGKILL`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
