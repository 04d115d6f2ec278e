// The benchmark matrix: pgbench workloads run against every target. Pure data and selection.

/** @typedef {{ name: string, script: 'S' | 'tpcb', mode: 'simple' | 'extended', clients: number }} BenchCase */

/** @type {readonly BenchCase[]} */
export const CASES = Object.freeze([
  { name: 'S-simple-c10', script: 'S', mode: 'simple', clients: 10 },
  { name: 'S-extended-c10', script: 'S', mode: 'extended', clients: 10 },
  { name: 'S-simple-c100', script: 'S', mode: 'simple', clients: 100 },
  { name: 'S-extended-c100', script: 'S', mode: 'extended', clients: 100 },
  { name: 'tpcb-simple-c20', script: 'tpcb', mode: 'simple', clients: 20 },
]);

export const TARGETS = Object.freeze(['direct', 'pgbouncer', 'pgdog']);

/**
 * Cases matching any of the comma-separated filters (case-insensitive). A filter is one or more
 * whole dash-separated parts of a name: "c10" picks S-simple-c10 and S-extended-c10 (not the c100
 * ones), "tpcb" or "S-simple" work too. An empty filter selects everything.
 * @param {string | undefined} filter
 * @returns {BenchCase[]}
 */
export function selectCases(filter) {
  const parts = (filter ?? '').split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  if (parts.length === 0) return [...CASES];
  return CASES.filter((c) => parts.some((p) => `-${c.name.toLowerCase()}-`.includes(`-${p}-`)));
}

/**
 * pgbench arguments for one run (connection details come from the environment).
 * Select-only runs skip pgbench's vacuum (-n); TPC-B keeps it, as pgbench does by default.
 * @param {BenchCase} c
 * @param {number} durationSec
 * @param {number} jobs
 * @returns {string[]}
 */
export function pgbenchArgs(c, durationSec, jobs) {
  const args = ['-M', c.mode, '-c', String(c.clients), '-j', String(Math.min(jobs, c.clients)), '-T', String(durationSec)];
  if (c.script === 'S') args.push('-S', '-n');
  return args;
}
