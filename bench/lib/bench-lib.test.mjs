// node --test bench/lib  (the bench is a plain script outside the workspaces, so not in npm test)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonCase, pgbenchArgs, runsOn, selectCases, withComparisons } from './cases.mjs';
import { parseOptions } from './options.mjs';
import { parsePgbenchOutput } from './pgbench-output.mjs';
import { machineTicksFromStat, ticksFromStat } from './proc-cpu.mjs';
import { checkPrepared, checkTargets, formatPrepared, median, summarize } from './summary.mjs';
import { pgbouncerIni } from './pgbouncer.mjs';
import { pgdogConfig } from './pgdog.mjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@pgdog/compiler';

test('case filters match whole dash-separated parts of the names', () => {
  assert.deepEqual(selectCases('S-simple-c10').map((c) => c.name), ['S-simple-c10']);
  assert.deepEqual(selectCases('c10').map((c) => c.name), ['S-simple-c10', 'S-extended-c10', 'S-prepared-c10']);
  assert.deepEqual(selectCases('c100').map((c) => c.name), ['S-simple-c100', 'S-extended-c100', 'S-prepared-c100']);
  assert.deepEqual(selectCases('simple').map((c) => c.name), ['S-simple-c10', 'S-simple-c100', 'tpcb-simple-c20']);
  assert.deepEqual(selectCases('prepared').map((c) => c.name), ['S-prepared-c10', 'S-prepared-c100']);
  assert.deepEqual(selectCases('c1').map((c) => c.name), []);
  assert.deepEqual(selectCases('tpcb, s-extended-c10').map((c) => c.name), ['S-extended-c10', 'tpcb-simple-c20']);
  assert.equal(selectCases('').length, 7);
  assert.equal(selectCases('nothing').length, 0);
});

test('pgbench arguments: select-only skips vacuum, -j never exceeds -c', () => {
  const [s10] = selectCases('S-extended-c10');
  assert.deepEqual(pgbenchArgs(s10, 7, 2), ['-M', 'extended', '-c', '10', '-j', '2', '-T', '7', '-S', '-n']);
  const [tpcb] = selectCases('tpcb');
  assert.deepEqual(pgbenchArgs(tpcb, 15, 2), ['-M', 'simple', '-c', '20', '-j', '2', '-T', '15']);
  assert.equal(pgbenchArgs({ ...s10, clients: 1 }, 5, 4)[5], '1');
  const [p100] = selectCases('S-prepared-c100');
  assert.deepEqual(pgbenchArgs(p100, 5, 2), ['-M', 'prepared', '-c', '100', '-j', '2', '-T', '5', '-S', '-n']);
});

test('prepared cases: PgBouncer sits out, compared with its extended run of the same clients', () => {
  const [p10] = selectCases('S-prepared-c10');
  const [e10] = selectCases('S-extended-c10');
  assert.equal(runsOn(p10, 'pgbouncer'), false);
  assert.equal(runsOn(p10, 'pgdog'), true);
  assert.equal(runsOn(p10, 'direct'), true);
  assert.equal(runsOn(e10, 'pgbouncer'), true);
  assert.equal(comparisonCase(p10), e10);
  assert.equal(comparisonCase(e10), null);
  assert.deepEqual(withComparisons(selectCases('prepared')).map((c) => c.name), ['S-extended-c10', 'S-prepared-c10', 'S-extended-c100', 'S-prepared-c100']);
  // Already selected: not added twice, order kept.
  assert.deepEqual(withComparisons(selectCases('c10')).map((c) => c.name), ['S-simple-c10', 'S-extended-c10', 'S-prepared-c10']);
});

test('prepared check: pgdog -M prepared over PgBouncer -M extended', () => {
  const row = (c, target, medianTps) => ({ case: c, target, medianTps });
  const rows = [row('S-extended-c10', 'pgbouncer', 20000), row('S-prepared-c10', 'pgdog', 25000), row('S-prepared-c10', 'direct', 40000), row('S-prepared-c100', 'pgdog', 15000)];
  const checks = checkPrepared(/** @type {any} */ (rows), selectCases('prepared'));
  assert.deepEqual(checks, [
    { case: 'S-prepared-c10', against: 'S-extended-c10', pgdogTps: 25000, pgbouncerTps: 20000, ratio: 1.25, met: true },
    { case: 'S-prepared-c100', against: 'S-extended-c100', pgdogTps: 15000, pgbouncerTps: null, ratio: null, met: null },
  ]);
  const text = formatPrepared(checks);
  assert.match(text, /S-prepared-c10 25000 ÷ S-extended-c10 20000 = 1\.250 \(want >= 1\.00\) met/);
  assert.match(text, /S-prepared-c100 15000 ÷ S-extended-c100 - = - .*n\/a/);
  assert.deepEqual(checkPrepared(/** @type {any} */ ([row('S-extended-c10', 'pgbouncer', 1)]), selectCases('prepared')), []);
});

test('options: defaults, env, --quick, flags win over env, direct is always a target', () => {
  const d = parseOptions([], {});
  assert.equal(d.duration, 15);
  assert.equal(d.rounds, 2);
  assert.equal(d.warmup, 3);
  assert.deepEqual(d.targets, ['direct', 'pgbouncer', 'pgdog']);
  assert.equal(parseOptions(['--warmup', '0'], {}).warmup, 0);
  assert.equal(parseOptions([], { BENCH_WARMUP: '5' }).warmup, 5);
  assert.throws(() => parseOptions(['--warmup', '-1'], {}), /whole number of seconds/);
  const q = parseOptions(['--quick'], { BENCH_DURATION: '30' });
  assert.equal(q.duration, 5);
  assert.equal(q.rounds, 1);
  const e = parseOptions(['--duration=9', '--cases', 'c10', '--targets', 'pgdog'], { BENCH_DURATION: '30', BENCH_ROUNDS: '3' });
  assert.equal(e.duration, 9);
  assert.equal(e.rounds, 3);
  assert.equal(e.cases, 'c10');
  assert.deepEqual(e.targets, ['direct', 'pgdog']);
  assert.throws(() => parseOptions(['--rounds', '0'], {}), /positive integer/);
  assert.throws(() => parseOptions(['--targets', 'pgcat'], {}), /unknown target/);
  assert.throws(() => parseOptions(['--bogus'], {}), /unknown option/);
  assert.throws(() => parseOptions(['--targets', 'pgdog-base'], {}), /needs --baseline/);
  const b = parseOptions(['--baseline', 'bench/results/base', '--targets', 'pgdog'], {});
  assert.deepEqual(b.targets, ['direct', 'pgdog', 'pgdog-base']);
  assert.match(/** @type {string} */ (b.baseline), /^\/.*bench\/results\/base$/);
  assert.deepEqual(parseOptions([], { BENCH_BASELINE: '/x' }).targets, ['direct', 'pgbouncer', 'pgdog', 'pgdog-base']);
});

test('pgbench report parsing', () => {
  const out = `transaction type: <builtin: select only>
scaling factor: 10
query mode: extended
number of clients: 10
number of threads: 2
maximum number of tries: 1
duration: 5 s
number of transactions actually processed: 104211
number of failed transactions: 0 (0.000%)
latency average = 0.479 ms
initial connection time = 14.030 ms
tps = 20870.353301 (without initial connection time)
`;
  assert.deepEqual(parsePgbenchOutput(out), { tps: 20870.353301, latencyMs: 0.479, transactions: 104211, failed: 0 });
  assert.deepEqual(parsePgbenchOutput('connection to server failed'), { tps: null, latencyMs: null, transactions: null, failed: null });
});

test('/proc parsing: a command name with spaces and parentheses', () => {
  const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 1000 1 1';
  assert.deepEqual(ticksFromStat(stat), { user: 250, system: 75 });
  const m = machineTicksFromStat('cpu  100 5 50 1000 10 1 2 3 0 0\ncpu0 1 2 3\n');
  assert.deepEqual(m, { busy: 158, total: 1171, steal: 3 });
});

test('summary: medians per target, ratios to PgBouncer and direct, failed runs excluded', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1]), 2.5);
  assert.equal(median([]), null);
  const run = (c, target, round, tps, cpu = null) => ({
    case: c, target, round, tps, latencyMs: tps === null ? null : 1, transactions: tps, failed: 0,
    proxyCpuSec: null, proxyCpuUsPerTx: cpu, proxyUserUsPerTx: cpu, proxySystemUsPerTx: cpu === null ? null : 0, machineBusyPct: 100, stealPct: 0, error: tps === null ? 'x' : null,
  });
  const runs = [
    run('S-simple-c10', 'direct', 1, 1000), run('S-simple-c10', 'pgbouncer', 1, 600, 20), run('S-simple-c10', 'pgdog', 1, 570, 30),
    run('S-simple-c10', 'direct', 2, 1200), run('S-simple-c10', 'pgbouncer', 2, 600, 22), run('S-simple-c10', 'pgdog', 2, null),
    run('S-simple-c100', 'direct', 1, 800), run('S-simple-c100', 'pgbouncer', 1, 700), run('S-simple-c100', 'pgdog', 1, 650),
  ];
  const rows = summarize(runs, ['S-simple-c10', 'S-simple-c100'], ['direct', 'pgbouncer', 'pgdog']);
  const dog10 = rows.find((r) => r.case === 'S-simple-c10' && r.target === 'pgdog');
  assert.equal(dog10.medianTps, 570);
  assert.equal(dog10.vsPgbouncer, 0.95);
  assert.equal(dog10.vsDirect, 570 / 1100);
  assert.equal(dog10.failedRuns, 1);
  assert.deepEqual(dog10.tpsRounds, [570, null]);
  const bouncer10 = rows.find((r) => r.target === 'pgbouncer' && r.case === 'S-simple-c10');
  assert.equal(bouncer10.proxyCpuUsPerTx, 21);
  assert.equal(bouncer10.proxyUserUsPerTx, 21);
  assert.equal(bouncer10.proxySystemUsPerTx, 0);
  const checks = checkTargets(rows, new Map([['S-simple-c10', 10], ['S-simple-c100', 100]]));
  assert.deepEqual(checks.map((c) => [c.case, c.met]), [['S-simple-c10', true], ['S-simple-c100', false]]);
});

test('pgbouncer.ini: transaction pooling, SCRAM auth_file, no unix socket', () => {
  const ini = pgbouncerIni({ dir: '/tmp/x', port: 7000, serverPort: 5999, database: 'bench', poolSize: 20, maxClients: 2000 });
  assert.match(ini, /^bench = host=127\.0\.0\.1 port=5999 dbname=bench$/m);
  assert.match(ini, /^pool_mode = transaction$/m);
  assert.match(ini, /^auth_type = scram-sha-256$/m);
  assert.match(ini, /^auth_file = \/tmp\/x\/userlist\.txt$/m);
  assert.match(ini, /^default_pool_size = 20$/m);
  assert.match(ini, /^unix_socket_dir =$/m);
});

test('pgdog.toml matches PgBouncer: same pool size, no TLS to the server, and it loads', async () => {
  const cfg = pgdogConfig({ serverPort: 5999, database: 'bench', user: 'bench', password: 'pw', poolSize: 20 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-cfg-'));
  try {
    writeFileSync(join(dir, 'pgdog.toml'), cfg.pgdog);
    writeFileSync(join(dir, 'users.toml'), cfg.users);
    const loaded = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath: join(dir, 'users.toml') });
    assert.notEqual(loaded.config, null, JSON.stringify(loaded.errors));
    const general = /** @type {any} */ (loaded.config).pgdog.general;
    assert.equal(general.default_pool_size, 20);
    assert.equal(general.tls_verify, 'disabled');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
