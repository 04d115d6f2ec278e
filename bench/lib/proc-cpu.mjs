// CPU time of a process and of the whole machine, from /proc (Linux only).

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the /proc counters (USER_HZ). */
export const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/**
 * utime and stime of a process, all threads, plus those of its live descendants (pgdog's worker
 * processes), in ticks; null when it is gone.
 * @param {number} pid
 * @returns {{ user: number, system: number } | null}
 */
export function processTicks(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const own = ticksFromStat(stat);
  if (own === null) return null;
  for (const child of childPids(pid)) {
    const t = processTicks(child);
    if (t !== null) {
      own.user += t.user;
      own.system += t.system;
    }
  }
  return own;
}

/**
 * Children of every thread of a process (empty when the kernel does not list them).
 * @param {number} pid
 * @returns {number[]}
 */
function childPids(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) if (c !== '') out.push(Number(c));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/**
 * Fields 14 and 15 of /proc/PID/stat. The command name (field 2) may hold spaces and
 * parentheses, so counting starts after its closing parenthesis.
 * @param {string} stat
 * @returns {{ user: number, system: number } | null}
 */
export function ticksFromStat(stat) {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const user = Number(rest[11]);
  const system = Number(rest[12]);
  return Number.isFinite(user) && Number.isFinite(system) ? { user, system } : null;
}

/**
 * Busy and total ticks of all CPUs, from the first line of /proc/stat.
 * @returns {{ busy: number, total: number, steal: number }}
 */
export function machineTicks() {
  return machineTicksFromStat(readFileSync('/proc/stat', 'utf8'));
}

/** @param {string} text @returns {{ busy: number, total: number, steal: number }} */
export function machineTicksFromStat(text) {
  const f = text.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait + steal, steal };
}

/**
 * Context switches (all CPUs, /proc/stat `ctxt`) and TCP segments sent (/proc/net/snmp `OutSegs`,
 * this network namespace): a proxy that makes its peers wake or send more per transaction costs
 * them CPU that its own counters do not show.
 * @returns {{ ctxt: number, segments: number }}
 */
export function systemCounters() {
  const stat = readFileSync('/proc/stat', 'utf8');
  const ctxt = Number(/^ctxt (\d+)$/m.exec(stat)?.[1] ?? NaN);
  let segments = NaN;
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Tcp:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    segments = Number(values[names.indexOf('OutSegs')]);
  } catch {
    // not Linux, or no TCP counters here: reported as unknown
  }
  return { ctxt, segments };
}
