// Measures server start-up: `node testing/dist/test/bench-start.js [warmRuns]`.
// Cold = first call in a fresh process (includes the template initdb); run the script
// several times for a cold median. Not a test: timing is measured, never asserted.
import { startServers, stopAll } from '../src/index.js';

async function fourServersMs(): Promise<number> {
  const t0 = performance.now();
  const servers = await startServers(4);
  await Promise.all(servers.map((s) => s.query('SELECT 1')));
  const ms = performance.now() - t0;
  await stopAll();
  return ms;
}

const warmRuns = Number(process.argv[2] ?? 5);
const cold = await fourServersMs();
const warm: number[] = [];
for (let i = 0; i < warmRuns; i++) warm.push(await fourServersMs());
warm.sort((a, b) => a - b);
const median = warm.length ? warm[Math.floor(warm.length / 2)] : NaN;
console.log(JSON.stringify({ coldMs: Math.round(cold), warmMedianMs: Math.round(median), warmMs: warm.map(Math.round) }));
