#!/usr/bin/env node
// Route decisions per second, and the compile time of the sharded fixture. Run after a build:
//   node compiler/bench/route.mjs [--seconds 2]
// Each case routes queries whose literals change every time (as simple-protocol traffic does):
//   cached:   PlanCache.analyzeCached(text) + route()   (the proxy's path)
//   uncached: analyze(text) + route()                   (bounded by the parser)
//   route():  route() alone on a ready analysis
// One core, one process; numbers are reported, nothing is asserted.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, compileRoutingTable, loadConfig, loadSqlParser, PlanCache, route } from '../dist/src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = resolve(here, '../../fixtures');
const secondsFlag = process.argv.indexOf('--seconds');
const SECONDS = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 1.5;

const CASES = {
  single: (i) => `SELECT * FROM orders WHERE customer_id = ${i}`,
  join: (i) => `SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = ${i} AND o.status = 'open'`,
  'multi-row INSERT (10 rows)': (i) => `INSERT INTO orders (customer_id, total, note) VALUES ${Array.from({ length: 10 }, (_, k) => `(${i * 10 + k}, ${k}.5, 'n${k}')`).join(', ')}`,
};

function rate(fn) {
  // Warm up, then count calls until SECONDS have passed (checking the clock every 256 calls).
  for (let i = 0; i < 2000; i++) fn(i);
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let n = 0;
  while (true) {
    for (let k = 0; k < 256; k++) fn(n++);
    if (performance.now() >= end) break;
  }
  return n / ((performance.now() - start) / 1000);
}

const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(11);

const t0 = performance.now();
const loaded = await loadConfig({ configPath: join(fixtures, 'valid/sharded/pgdog.toml'), usersPath: join(fixtures, 'valid/sharded/users.toml') });
const t1 = performance.now();
const table = await compileRoutingTable(loaded.config);
const t2 = performance.now();
let warm = 0;
const WARM_RUNS = 20;
for (let i = 0; i < WARM_RUNS; i++) {
  const s = performance.now();
  const r = await loadConfig({ configPath: join(fixtures, 'valid/sharded/pgdog.toml'), usersPath: join(fixtures, 'valid/sharded/users.toml') });
  await compileRoutingTable(r.config);
  warm += performance.now() - s;
}
console.log(`compile (fixtures/valid/sharded): first load+validate ${(t1 - t0).toFixed(1)} ms + compile ${(t2 - t1).toFixed(1)} ms (loads the rule compiler); warm load+compile ${(warm / WARM_RUNS).toFixed(2)} ms`);

await loadSqlParser();
const session = { inTransaction: false };
console.log(`route decisions per second (one core, ${SECONDS} s per cell):`);
console.log(`${'case'.padEnd(28)}${'cached'.padStart(11)}${'uncached'.padStart(11)}${'route()'.padStart(11)}`);
for (const [name, make] of Object.entries(CASES)) {
  const cache = new PlanCache({ limit: 1000 });
  const cached = rate((i) => {
    const query = make(i);
    return route(table, { database: 'shop', user: 'shop', query, analysis: cache.analyzeCached(query), session });
  });
  const uncached = rate((i) => {
    const query = make(i);
    return route(table, { database: 'shop', user: 'shop', query, analysis: analyze(query), session });
  });
  const ready = Array.from({ length: 512 }, (_, i) => ({ query: make(i), analysis: analyze(make(i)) }));
  const only = rate((i) => {
    const x = ready[i & 511];
    return route(table, { database: 'shop', user: 'shop', query: x.query, analysis: x.analysis, session });
  });
  const stats = cache.stats();
  if (stats.hits < stats.misses) throw new Error(`${name}: the plan cache is not hitting (${JSON.stringify(stats)})`);
  console.log(`${name.padEnd(28)}${fmt(cached)}${fmt(uncached)}${fmt(only)}`);
}
