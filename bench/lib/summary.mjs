// Per (case, target) medians, ratios and the target check, and the printed table. Pure.

import { comparisonCase } from './cases.mjs';

/**
 * @typedef {import('./pgbench.mjs').RunResult} RunResult
 * @typedef {{ case: string, target: string, tpsRounds: (number | null)[], medianTps: number | null,
 *   vsPgbouncer: number | null, vsDirect: number | null, latencyMs: number | null, proxyCpuUsPerTx: number | null,
 *   proxyUserUsPerTx: number | null, proxySystemUsPerTx: number | null, failedRuns: number }} SummaryRow
 * @typedef {{ case: string, clients: number, want: number, ratio: number | null, met: boolean | null }} TargetCheck
 * @typedef {{ case: string, against: string, pgdogTps: number | null, pgbouncerTps: number | null,
 *   ratio: number | null, met: boolean | null }} PreparedCheck
 */

/** @param {readonly number[]} xs @returns {number | null} */
export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * @param {readonly RunResult[]} runs
 * @param {readonly string[]} caseOrder
 * @param {readonly string[]} targetOrder
 * @returns {SummaryRow[]}
 */
export function summarize(runs, caseOrder, targetOrder) {
  /** @type {SummaryRow[]} */
  const rows = [];
  for (const c of caseOrder) {
    const of = (/** @type {string} */ t) => runs.filter((r) => r.case === c && r.target === t);
    const medianOf = (/** @type {string} */ t) => median(numbers(of(t).map((r) => r.tps)));
    const direct = medianOf('direct');
    const bouncer = medianOf('pgbouncer');
    for (const t of targetOrder) {
      const mine = of(t);
      if (mine.length === 0) continue;
      const m = medianOf(t);
      rows.push({
        case: c,
        target: t,
        tpsRounds: mine.map((r) => r.tps),
        medianTps: m,
        vsPgbouncer: ratio(m, bouncer),
        vsDirect: ratio(m, direct),
        latencyMs: median(numbers(mine.map((r) => r.latencyMs))),
        proxyCpuUsPerTx: median(numbers(mine.map((r) => r.proxyCpuUsPerTx))),
        proxyUserUsPerTx: median(numbers(mine.map((r) => r.proxyUserUsPerTx))),
        proxySystemUsPerTx: median(numbers(mine.map((r) => r.proxySystemUsPerTx))),
        failedRuns: mine.filter((r) => r.error !== null).length,
      });
    }
  }
  return rows;
}

/**
 * pgdog ÷ PgBouncer against the targets: >= 0.95 at 10 clients, >= 1.0 at 100.
 * @param {readonly SummaryRow[]} rows
 * @param {ReadonlyMap<string, number>} clientsByCase
 * @returns {TargetCheck[]}
 */
export function checkTargets(rows, clientsByCase) {
  /** @type {TargetCheck[]} */
  const out = [];
  for (const r of rows) {
    if (r.target !== 'pgdog') continue;
    const clients = clientsByCase.get(r.case);
    const want = clients === 10 ? 0.95 : clients === 100 ? 1.0 : null;
    if (clients === undefined || want === null) continue;
    out.push({ case: r.case, clients, want, ratio: r.vsPgbouncer, met: r.vsPgbouncer === null ? null : r.vsPgbouncer >= want });
  }
  return out;
}

/**
 * Issue 5's target: pgdog -M prepared TPS >= PgBouncer -M extended TPS at the same client count
 * (PgBouncer 1.18 cannot carry prepared statements in transaction mode, so extended is its best).
 * @param {readonly SummaryRow[]} rows
 * @param {readonly import('./cases.mjs').BenchCase[]} cases
 * @returns {PreparedCheck[]}
 */
export function checkPrepared(rows, cases) {
  /** @type {PreparedCheck[]} */
  const out = [];
  for (const c of cases) {
    const cmp = comparisonCase(c);
    if (cmp === null) continue;
    const dog = rows.find((r) => r.case === c.name && r.target === 'pgdog');
    const bouncer = rows.find((r) => r.case === cmp.name && r.target === 'pgbouncer');
    if (dog === undefined) continue;
    const pgdogTps = dog.medianTps;
    const pgbouncerTps = bouncer?.medianTps ?? null;
    const r = ratio(pgdogTps, pgbouncerTps);
    out.push({ case: c.name, against: cmp.name, pgdogTps, pgbouncerTps, ratio: r, met: r === null ? null : r >= 1 });
  }
  return out;
}

/**
 * @param {readonly PreparedCheck[]} checks
 * @returns {string}
 */
export function formatPrepared(checks) {
  const parts = checks.map((c) => {
    const verdict = c.met === null ? 'n/a (no PgBouncer run)' : c.met ? 'met' : 'MISSED';
    return `${c.case} ${fixed(c.pgdogTps, 0)} ÷ ${c.against} ${fixed(c.pgbouncerTps, 0)} = ${fixed(c.ratio, 3)} (want >= 1.00) ${verdict}`;
  });
  return `prepared (pgdog -M prepared ÷ PgBouncer -M extended, same clients; PgBouncer 1.18 cannot run -M prepared in transaction mode): ${parts.join('; ')}`;
}

/**
 * @param {readonly SummaryRow[]} rows
 * @returns {string}
 */
export function formatTable(rows) {
  const header = ['case', 'target', 'TPS per round', 'median TPS', 'vs pgbouncer', 'vs direct', 'avg lat ms', 'proxy CPU µs/tx', 'usr / sys'];
  const body = rows.map((r) => [
    r.case,
    r.target,
    r.tpsRounds.map((t) => (t === null ? 'fail' : t.toFixed(0))).join(' / '),
    fixed(r.medianTps, 0),
    fixed(r.vsPgbouncer, 3),
    fixed(r.vsDirect, 3),
    fixed(r.latencyMs, 3),
    fixed(r.proxyCpuUsPerTx, 1),
    r.proxyUserUsPerTx === null ? '-' : `${fixed(r.proxyUserUsPerTx, 1)} / ${fixed(r.proxySystemUsPerTx, 1)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (/** @type {string[]} */ cells) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * @param {readonly TargetCheck[]} checks
 * @returns {string}
 */
export function formatTargets(checks) {
  if (checks.length === 0) return 'targets: not checked (they need pgdog, PgBouncer and a c10 or c100 case in the run)';
  const parts = checks.map((c) => {
    const verdict = c.met === null ? 'n/a' : c.met ? 'met' : 'MISSED';
    return `${c.case} ${fixed(c.ratio, 3)} (want >= ${c.want.toFixed(2)}) ${verdict}`;
  });
  return `targets (pgdog ÷ PgBouncer; >= 0.95 at c10, >= 1.0 at c100): ${parts.join('; ')}`;
}

/** @param {number | null} a @param {number | null} b */
function ratio(a, b) {
  return a !== null && b !== null && b > 0 ? a / b : null;
}

/** @param {readonly (number | null)[]} xs @returns {number[]} */
function numbers(xs) {
  return /** @type {number[]} */ (xs.filter((x) => x !== null));
}

/** @param {number | null} x @param {number} digits */
function fixed(x, digits) {
  return x === null ? '-' : x.toFixed(digits);
}
