#!/usr/bin/env node
// SQL analysis throughput on one core: cached (plan cache hit: normalize + re-bind) and
// uncached (libpg-query parse + AST walk), for three query shapes. Not a test; run after a
// build:  node compiler/bench/sql-analyze.bench.mjs [--json]
//
// Method (as reference/deps.md): operations per CPU-second of this process
// (process.cpuUsage), best of 7 rounds of ~300 ms after a warm-up. Each shape cycles through
// 1,000 pre-built texts that differ in their literals, so every cached call re-binds values
// from a new text, as simple-protocol traffic does.
import { PlanCache, analyze, loadSqlParser, parseSql } from '../dist/src/sql/index.js';
import { shapeKey } from '../dist/src/sql/normalize.js';
import { newLiteralSpans } from '../dist/src/sql/literal-spans.js';

const json = process.argv.includes('--json');
await loadSqlParser();

const N = 1000;
const shapes = {
  'point select': (i) => `SELECT * FROM users WHERE id = ${i * 7919 + 1}`,
  '3-table join': (i) =>
    'SELECT o.id, o.total, c.name, p.title FROM orders o ' +
    'JOIN customers c ON c.id = o.customer_id ' +
    'JOIN products p ON p.id = o.product_id ' +
    `WHERE o.customer_id = ${i + 100} AND o.status = 'open${i % 7}' AND p.category IN (${i % 5}, ${i % 9}, 12) ` +
    `AND o.created_at > now() - interval '7 days' ORDER BY o.created_at DESC LIMIT ${10 + (i % 40)}`,
  'multi-row insert': (i) =>
    'INSERT INTO events (tenant_id, kind, payload) VALUES ' +
    `(${i}, 'click', '{"x":${i}}'), (${i + 1}, 'view', '{"y":2}'), ` +
    `(${i + 2}, 'click', '{}'), (${i + 3}, 'buy', '{"z":${i % 3}}') RETURNING id`,
};

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Best ops per CPU-second over `rounds` rounds of ~`ms` ms each. */
function measure(fn, texts, { rounds = 7, ms = 300 } = {}) {
  let sink = 0;
  const round = () => {
    const start = cpuMicros();
    let ops = 0;
    let i = 0;
    while (cpuMicros() - start < ms * 1000) {
      for (let k = 0; k < 200; k++) {
        const r = fn(texts[i]);
        sink += r === null ? 0 : 1;
        i = i + 1 === texts.length ? 0 : i + 1;
      }
      ops += 200;
    }
    return ops / ((cpuMicros() - start) / 1e6);
  };
  round(); // warm-up
  let best = 0;
  for (let r = 0; r < rounds; r++) best = Math.max(best, round());
  if (sink < 0) console.log(sink);
  return best;
}

const rows = [];
for (const [name, make] of Object.entries(shapes)) {
  const texts = Array.from({ length: N }, (_, i) => make(i));
  const cache = new PlanCache({ limit: 1000 });
  cache.analyzeCached(texts[0]);
  const cached = measure((t) => cache.analyzeCached(t), texts);
  const stats = cache.stats();
  if (stats.misses !== 1) throw new Error(`${name}: expected one miss, got ${JSON.stringify(stats)}`);
  // What a cache lookup pays before the map: the key and the literal spans (shapeKey).
  const spans = newLiteralSpans();
  const normalizeOnly = measure((t) => shapeKey(t, spans), texts);
  const uncached = measure((t) => analyze(t), texts, { rounds: 5 });
  const parseOnly = measure((t) => parseSql(t), texts, { rounds: 5 });
  rows.push({ shape: name, chars: texts[0].length, cached, normalizeOnly, uncached, parseOnly });
}

if (json) {
  console.log(JSON.stringify({ node: process.version, rows }, null, 2));
} else {
  const fmt = (n) => `${Math.round(n).toLocaleString('en-US')}/s`.padStart(13);
  console.log(`node ${process.version}, ops per CPU-second, one core`);
  console.log(`${'shape'.padEnd(18)}${'chars'.padStart(6)}${'cached'.padStart(13)}${'normalize'.padStart(13)}${'uncached'.padStart(13)}${'parse only'.padStart(13)}`);
  for (const r of rows) {
    console.log(`${r.shape.padEnd(18)}${String(r.chars).padStart(6)}${fmt(r.cached)}${fmt(r.normalizeOnly)}${fmt(r.uncached)}${fmt(r.parseOnly)}`);
  }
}
