// The benchmark matrix: pgbench workloads run against every target. Pure data and selection.

/** @typedef {{ name: string, script: 'S' | 'tpcb', mode: 'simple' | 'extended' | 'prepared', clients: number }} BenchCase */

/** @type {readonly BenchCase[]} */
export const CASES = Object.freeze([
  { name: 'S-simple-c10', script: 'S', mode: 'simple', clients: 10 },
  { name: 'S-extended-c10', script: 'S', mode: 'extended', clients: 10 },
  { name: 'S-prepared-c10', script: 'S', mode: 'prepared', clients: 10 },
  { name: 'S-simple-c100', script: 'S', mode: 'simple', clients: 100 },
  { name: 'S-extended-c100', script: 'S', mode: 'extended', clients: 100 },
  { name: 'S-prepared-c100', script: 'S', mode: 'prepared', clients: 100 },
  { name: 'tpcb-simple-c20', script: 'tpcb', mode: 'simple', clients: 20 },
]);

/**
 * `pgdog-base` runs only with --baseline: a second pgdog from another build of the runtime, so a
 * change is measured against the build before it in the same run.
 */
export const TARGETS = Object.freeze(['direct', 'pgbouncer', 'pgdog', 'pgdog-base']);

/**
 * Cases matching any of the comma-separated filters (case-insensitive). A filter is one or more
 * whole dash-separated parts of a name: "c10" picks the three 10-client cases (not the c100
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
 * PgBouncer 1.18 in transaction mode does not track named statements: pgbench -M prepared clients
 * abort with `prepared statement "P_0" already exists` (or does not exist) as they move between
 * server connections. So it sits out those cases.
 * @param {BenchCase} c
 * @param {string} target
 */
export function runsOn(c, target) {
  return !(c.mode === 'prepared' && target === 'pgbouncer');
}

/**
 * The case whose PgBouncer figure a prepared case is compared with: same script and clients,
 * `-M extended` (the closest PgBouncer can carry). Null for the other cases.
 * @param {BenchCase} c
 * @returns {BenchCase | null}
 */
export function comparisonCase(c) {
  if (c.mode !== 'prepared') return null;
  return CASES.find((o) => o.script === c.script && o.clients === c.clients && o.mode === 'extended') ?? null;
}

/**
 * The selection plus, for each prepared case, its comparison case when it is missing (placed
 * right before it), so the prepared-vs-PgBouncer ratio can always be printed.
 * @param {readonly BenchCase[]} cases
 * @returns {BenchCase[]}
 */
export function withComparisons(cases) {
  /** @type {BenchCase[]} */
  const out = [];
  for (const c of cases) {
    const cmp = comparisonCase(c);
    if (cmp !== null && !cases.includes(cmp) && !out.includes(cmp)) out.push(cmp);
    out.push(c);
  }
  return out;
}

/**
 * pgbench arguments for one run (connection details come from the environment).
 * Select-only runs skip pgbench's vacuum (-n); TPC-B keeps it, as pgbench does by default.
 * `-M prepared` needs nothing else: each pgbench connection prepares its statements itself, so
 * any -j works (checked with -j 2 at -c 10 and -c 100).
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
