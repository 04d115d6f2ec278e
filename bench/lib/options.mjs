// Command-line flags and environment of `npm run bench`. Pure: argv and env in, options out.

import { resolve } from 'node:path';
import { CASES, TARGETS } from './cases.mjs';

/** Targets run when --targets is not given (pgdog-base joins them with --baseline). */
const DEFAULT_TARGETS = TARGETS.filter((t) => t !== 'pgdog-base');

export const USAGE = `usage: npm run bench -- [options]
  --quick            5 s per run, 1 round (same as --duration 5 --rounds 1)
  --duration SEC     pgbench -T per run (env BENCH_DURATION, default 15)
  --rounds N         interleaved rounds per case; the table shows the median (env BENCH_ROUNDS, default 2)
  --warmup SEC       before a case's first round, each target runs it this long unmeasured, so
                     pgdog's JIT has compiled that case's paths (env BENCH_WARMUP, default 3; 0: none)
  --cases LIST       comma-separated filters: whole dash-separated parts of case names
                     (env BENCH_CASES), e.g. c10, c100, extended, tpcb, S-simple-c10
                     cases: ${CASES.map((c) => c.name).join(', ')}
  --targets LIST     subset of ${DEFAULT_TARGETS.join(',')} (env BENCH_TARGETS; direct always runs)
  --baseline DIR     also run pgdog from another runtime build as target pgdog-base: DIR holds a
                     copy of runtime/dist/src (e.g. cp -r runtime/dist/src bench/results/base);
                     keep it inside the repo so its imports resolve (env BENCH_BASELINE)
  --scale N          pgbench -i scale (env BENCH_SCALE, default 10)
  --pool-size N      server pool size of PgBouncer and pgdog (default 20)
  --workers N        pgdog's general.workers: worker processes sharing the port and, split
                     among them, the pool size (env BENCH_WORKERS, default 2 as in pgdog.toml)
  --jobs N           pgbench -j (default 2)
  --profile          run the pgdog child with node --cpu-prof (profiles in bench/results/profiles)
  --json PATH        where to write the results (default bench/results/latest.json)
  --help`;

/**
 * @typedef {{ duration: number, rounds: number, warmup: number, cases: string | undefined, targets: string[],
 *   scale: number, poolSize: number, workers: number, jobs: number, profile: boolean, json: string | undefined,
 *   baseline: string | undefined, help: boolean }} BenchOptions
 */

/**
 * @param {readonly string[]} argv
 * @param {Readonly<Record<string, string | undefined>>} env
 * @returns {BenchOptions}
 */
export function parseOptions(argv, env) {
  /** @type {BenchOptions} */
  const o = {
    duration: positiveInt(env.BENCH_DURATION, 'BENCH_DURATION') ?? 15,
    rounds: positiveInt(env.BENCH_ROUNDS, 'BENCH_ROUNDS') ?? 2,
    warmup: nonNegativeInt(env.BENCH_WARMUP, 'BENCH_WARMUP') ?? 3,
    cases: env.BENCH_CASES || undefined,
    targets: parseTargets(env.BENCH_TARGETS),
    scale: positiveInt(env.BENCH_SCALE, 'BENCH_SCALE') ?? 10,
    poolSize: 20,
    workers: positiveInt(env.BENCH_WORKERS, 'BENCH_WORKERS') ?? 2,
    jobs: 2,
    profile: false,
    json: undefined,
    baseline: env.BENCH_BASELINE || undefined,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        o.duration = 5;
        o.rounds = 1;
        break;
      case '--duration':
      case '-T':
        o.duration = positiveInt(value(), flag);
        break;
      case '--rounds':
        o.rounds = positiveInt(value(), flag);
        break;
      case '--warmup':
        o.warmup = nonNegativeInt(value(), flag);
        break;
      case '--cases':
        o.cases = value();
        break;
      case '--targets':
        o.targets = parseTargets(value());
        break;
      case '--scale':
        o.scale = positiveInt(value(), flag);
        break;
      case '--pool-size':
        o.poolSize = positiveInt(value(), flag);
        break;
      case '--workers':
        o.workers = positiveInt(value(), flag);
        break;
      case '--jobs':
        o.jobs = positiveInt(value(), flag);
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--json':
        o.json = value();
        break;
      case '--baseline':
        o.baseline = value();
        break;
      case '--help':
      case '-h':
        o.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (o.baseline !== undefined) {
    o.baseline = resolve(o.baseline);
    if (!o.targets.includes('pgdog-base')) o.targets = TARGETS.filter((t) => t === 'pgdog-base' || o.targets.includes(t));
  } else if (o.targets.includes('pgdog-base')) {
    throw new Error('target pgdog-base needs --baseline DIR');
  }
  return o;
}

/** @param {string | undefined} v @param {string} what @returns {any} */
function positiveInt(v, what) {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

/** @param {string | undefined} v @param {string} what @returns {any} */
function nonNegativeInt(v, what) {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a whole number of seconds, got ${JSON.stringify(v)}`);
  return n;
}

/** @param {string | undefined} v @returns {string[]} */
function parseTargets(v) {
  if (v === undefined || v.trim() === '') return [...DEFAULT_TARGETS];
  const wanted = v.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const t of wanted) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t} (known: ${TARGETS.join(', ')})`);
  // direct is the baseline every ratio needs.
  return TARGETS.filter((t) => t === 'direct' || wanted.includes(t));
}
