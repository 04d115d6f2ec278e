// `pgdog route --log FILE`: every query of a log through the plan cache and route(), summed into
// a coverage report. Each line is routed as a fresh session (a log mixes many sessions).

import { statSync } from 'node:fs';
import type { PlanCache, Route, RouteInput, RouteSession, RoutingTable } from '@pgdog/compiler';
import { Coverage, coverageJson, type CoverageJson } from './coverage.js';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure } from './command-failure.js';
import { readQueryLog } from './query-log.js';

export interface RouteLogOptions {
  table: RoutingTable;
  database: string;
  user: string;
  session: RouteSession;
  path: string;
  top: number;
  /** Show a progress bar (stderr is a terminal and the file is big). */
  progress: boolean;
}

const PROGRESS_FROM_BYTES = 1 << 20;

export async function routeLog(opts: RouteLogOptions): Promise<CoverageJson> {
  const { route, PlanCache: Cache, normalizeSql } = await import('@pgdog/compiler');
  const cache: PlanCache = new Cache({ limit: Math.max(opts.table.general.queryCacheLimit, 1000) });
  const coverage = new Coverage();
  let size: number;
  try {
    const st = statSync(opts.path);
    if (st.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    size = st.size;
  } catch (err) {
    throw new CommandFailure([`cannot read ${opts.path}: ${(err as Error).message}`], ExitCode.Usage);
  }
  const bar = opts.progress && size >= PROGRESS_FROM_BYTES ? await progressBar(size) : null;
  const started = performance.now();
  const input: RouteInput = { database: opts.database, user: opts.user, query: '', analysis: { ok: true, statements: [], hints: { shard: null, shardingKey: null, role: null } }, session: opts.session };
  const format = await readQueryLog(opts.path, {
    onEntry: (e) => {
      const analysis = cache.analyzeCached(e.query);
      input.query = e.query;
      input.analysis = analysis;
      const r: Route = route(opts.table, input);
      const shape = r.shards === 'all' && r.blocked === null ? (normalizeSql(e.query)?.key ?? e.query) : '';
      coverage.add(r, e.calls, shape, analysis.ok);
    },
    onProgress: bar === null ? undefined : (bytes) => bar.update(bytes),
  });
  bar?.stop();
  return coverageJson(coverage, opts.path, format, (performance.now() - started) / 1000, opts.top);
}

async function progressBar(total: number): Promise<{ update: (n: number) => void; stop: () => void }> {
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar(
    { format: 'routing {bar} {percentage}% | {value}/{total} MiB', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    progress.Presets.shades_classic,
  );
  const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;
  bar.start(mib(total), 0);
  return { update: (n) => bar.update(mib(n)), stop: () => bar.stop() };
}
