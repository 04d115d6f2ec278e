// Runs one pgbench against one target and samples the proxy's CPU around it.

import { spawn } from 'node:child_process';
import { trackChild } from './teardown.mjs';
import { pgbenchArgs } from './cases.mjs';
import { parsePgbenchOutput } from './pgbench-output.mjs';
import { CLK_TCK, machineTicks, processTicks, systemCounters } from './proc-cpu.mjs';

/**
 * @typedef {import('./cases.mjs').BenchCase} BenchCase
 * @typedef {{ name: string, port: number, pid: number | null }} Target
 * @typedef {{ case: string, target: string, round: number, tps: number | null, latencyMs: number | null,
 *   transactions: number | null, failed: number | null, proxyCpuSec: number | null, proxyCpuUsPerTx: number | null,
 *   proxyUserUsPerTx: number | null, proxySystemUsPerTx: number | null,
 *   machineBusyPct: number, stealPct: number, machineCpuUsPerTx: number | null, ctxSwitchesPerTx: number | null,
 *   segmentsPerTx: number | null, error: string | null }} RunResult
 */

/**
 * @param {{ pgbench: string, bench: BenchCase, target: Target, round: number, duration: number, jobs: number,
 *   env: Record<string, string> }} p
 * @returns {Promise<RunResult>}
 */
export async function runPgbench(p) {
  const args = pgbenchArgs(p.bench, p.duration, p.jobs);
  const env = { ...process.env, ...p.env, PGHOST: '127.0.0.1', PGPORT: String(p.target.port), PGSSLMODE: 'disable', PGGSSENCMODE: 'disable' };
  const cpu0 = p.target.pid === null ? null : processTicks(p.target.pid);
  const m0 = machineTicks();
  const s0 = systemCounters();
  const out = await run(p.pgbench, args, env, (p.duration + 120) * 1000);
  const cpu1 = p.target.pid === null ? null : processTicks(p.target.pid);
  const m1 = machineTicks();
  const s1 = systemCounters();
  const r = parsePgbenchOutput(out.stdout);
  const ok = out.code === 0 && r.tps !== null;
  const total = Math.max(1, m1.total - m0.total);
  const tx = ok ? r.transactions : null;
  const perTx = (/** @type {number} */ ticks) => (tx ? (ticks / CLK_TCK) * 1e6 / tx : null);
  const cpu = cpu0 !== null && cpu1 !== null ? { user: cpu1.user - cpu0.user, system: cpu1.system - cpu0.system } : null;
  const proxyCpuSec = cpu === null ? null : (cpu.user + cpu.system) / CLK_TCK;
  return {
    case: p.bench.name,
    target: p.target.name,
    round: p.round,
    tps: ok ? r.tps : null,
    latencyMs: ok ? r.latencyMs : null,
    transactions: tx,
    failed: r.failed,
    proxyCpuSec,
    proxyCpuUsPerTx: cpu === null ? null : perTx(cpu.user + cpu.system),
    proxyUserUsPerTx: cpu === null ? null : perTx(cpu.user),
    proxySystemUsPerTx: cpu === null ? null : perTx(cpu.system),
    machineBusyPct: (100 * (m1.busy - m0.busy)) / total,
    stealPct: (100 * (m1.steal - m0.steal)) / total,
    // Everything the machine spent per transaction: pgbench, PostgreSQL, the proxy and the kernel.
    machineCpuUsPerTx: perTx(m1.busy - m0.busy),
    ctxSwitchesPerTx: tx && Number.isFinite(s1.ctxt - s0.ctxt) ? (s1.ctxt - s0.ctxt) / tx : null,
    segmentsPerTx: tx && Number.isFinite(s1.segments - s0.segments) ? (s1.segments - s0.segments) / tx : null,
    error: ok ? null : firstErrorLine(out.stdout + out.stderr) ?? `pgbench exited with ${out.code}`,
  };
}

/** @param {string} text */
function firstErrorLine(text) {
  return text.split('\n').find((l) => /error|fatal/i.test(l))?.trim() ?? null;
}

/**
 * @param {string} bin @param {string[]} args @param {NodeJS.ProcessEnv} env @param {number} timeoutMs
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
export function run(bin, args, env, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + String(err) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
