#!/usr/bin/env node
// `pgdog route --log` throughput: writes a query log of N lines (default 100,000) mixing ~40
// statement shapes with changing literals, then times the CLI over it (one process, cold start
// included) in both formats: one statement per line, and a pg_stat_statements CSV export.
//   node compiler/bench/route-log.mjs [--lines 100000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const linesFlag = process.argv.indexOf('--lines');
const LINES = linesFlag > 0 ? Number(process.argv[linesFlag + 1]) : 100_000;

const SHAPES = [
  (i) => `SELECT * FROM orders WHERE customer_id = ${i}`,
  (i) => `SELECT id, total FROM orders WHERE customer_id = ${i} AND status = 'open' ORDER BY id DESC LIMIT 20`,
  (i) => `UPDATE orders SET status = 'paid' WHERE customer_id = ${i} AND id = ${i * 7}`,
  (i) => `INSERT INTO orders (customer_id, total) VALUES (${i}, ${i % 100}.50)`,
  (i) => `INSERT INTO orders (customer_id, total) VALUES (${i}, 1), (${i + 1}, 2), (${i + 2}, 3)`,
  (i) => `SELECT * FROM customers WHERE id = ${i}`,
  (i) => `SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = ${i}`,
  (i) => `SELECT * FROM sessions WHERE token = 'tok-${i}'`,
  (i) => `DELETE FROM sessions WHERE token = 'tok-${i}'`,
  (i) => `SELECT * FROM devices WHERE device_id = '${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000'`,
  (i) => `SELECT * FROM stores WHERE region = '${['us-east-1', 'eu-west-1', 'ap-south-1'][i % 3]}'`,
  (i) => `SELECT * FROM invoices WHERE invoice_id = ${i * 31}`,
  (i) => `SELECT * FROM countries WHERE code = 'C${i % 200}'`,
  (i) => `SELECT count(*) FROM orders WHERE created_at > now() - interval '${i % 30} days'`,
  (i) => `SELECT * FROM orders WHERE status = 'late' LIMIT ${i % 50}`,
  (i) => `SELECT sum(total) FROM daily_totals WHERE day = current_date - ${i % 7}`,
  (i) => `/* pgdog_shard: ${i % 3} */ SELECT * FROM audit_events WHERE id = ${i}`,
  (i) => `SELECT * FROM orders WHERE customer_id IN (${i}, ${i + 1}, ${i + 2})`,
  (i) => `SELECT 1 + ${i}`,
  (i) => `SELECT * FROM orders WHERE customer_id = ${i} FOR UPDATE`,
];

const dir = mkdtempSync(join(tmpdir(), 'pgdog-route-log-'));
const lines = Array.from({ length: LINES }, (_, i) => SHAPES[i % SHAPES.length](i));
const plain = join(dir, 'queries.log');
writeFileSync(plain, `${lines.join('\n')}\n`);
const csv = join(dir, 'pg_stat_statements.csv');
writeFileSync(csv, `queryid,query,calls\n${lines.map((q, i) => `${i},"${q.replaceAll('"', '""')}",${(i % 9) + 1}`).join('\n')}\n`);

for (const [label, file] of [['plain lines', plain], ['pg_stat_statements CSV', csv]]) {
  const args = [join(root, 'cli/bin/run.js'), 'route', '-c', join(root, 'fixtures/valid/sharded/pgdog.toml'), '-u', join(root, 'fixtures/valid/sharded/users.toml'), '--log', file, '--json'];
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
  const report = JSON.parse(r.stdout);
  const mib = statSync(file).size / 1048576;
  console.log(`${label}: ${report.queries.toLocaleString('en-US')} queries (${mib.toFixed(1)} MiB) in ${seconds.toFixed(2)} s wall (${Math.round(report.queries / seconds).toLocaleString('en-US')} lines/s; routing loop ${report.seconds} s = ${Math.round(report.queries / report.seconds).toLocaleString('en-US')} lines/s)`);
  console.log(`  shares: ${JSON.stringify(report.shares)}`);
}
