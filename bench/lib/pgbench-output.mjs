// Reads the numbers out of pgbench's end-of-run report. Pure.

/**
 * @typedef {{ tps: number | null, latencyMs: number | null, transactions: number | null, failed: number | null }} PgbenchResult
 */

/**
 * @param {string} text pgbench's stdout
 * @returns {PgbenchResult}
 */
export function parsePgbenchOutput(text) {
  return {
    tps: number(text, /^tps = ([0-9.]+)/m),
    latencyMs: number(text, /^latency average = ([0-9.]+) ms/m),
    // "number of transactions actually processed: 12345" (with -t it is "12345/12345")
    transactions: number(text, /^number of transactions actually processed: (\d+)/m),
    failed: number(text, /^number of failed transactions: (\d+)/m),
  };
}

/** @param {string} text @param {RegExp} re @returns {number | null} */
function number(text, re) {
  const m = re.exec(text);
  return m === null ? null : Number(m[1]);
}
