// `pgdog test`: every case of every assertion file through route(); a failure shows expected vs
// actual for each field that differs, with the route's reason.

import type { Route, RouteDiff } from '@pgdog/compiler';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure } from './command-failure.js';
import { readTextInput } from './read-input.js';
import { pickDatabase, pickUser, type RoutingContext } from './routing-context.js';

export interface CaseFailureJson {
  file: string;
  case: number;
  name: string | null;
  query: string;
  /** Set when the case could not be routed at all (e.g. no database given and several exist). */
  error: string | null;
  diffs: RouteDiff[];
  route: Route | null;
}

export interface TestRunJson {
  files: string[];
  cases: number;
  passed: number;
  failed: number;
  failures: CaseFailureJson[];
}

export interface TestRunResult {
  exitCode: number;
  stdout: string[];
  json: TestRunJson;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function formatFailure(f: CaseFailureJson): string[] {
  const lines = [`FAIL ${f.file} case ${f.case}${f.name !== null ? ` "${f.name}"` : ''}`, `  query:    ${f.query.replace(/\s*\n\s*/g, ' ')}`];
  if (f.error !== null) lines.push(`  error:    ${f.error}`);
  for (const d of f.diffs) {
    lines.push(`  ${`${d.field}:`.padEnd(10)}expected ${show(d.expected)}`, `  ${''.padEnd(10)}actual   ${show(d.actual)}`);
  }
  if (f.route !== null) lines.push(`  reason:   ${f.route.reason}`);
  return lines;
}

export async function runRouteTests(ctx: RoutingContext, files: readonly string[], defaults: { database?: string; user?: string } = {}): Promise<TestRunResult> {
  const { parseRouteTests, compareRoute, route, analyze } = await import('@pgdog/compiler');
  const json: TestRunJson = { files: [...files], cases: 0, passed: 0, failed: 0, failures: [] };
  const problems: string[] = [];
  const parsed = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readTextInput(file);
    } catch (err) {
      throw new CommandFailure([`cannot read ${file}: ${(err as Error).message}`], ExitCode.Usage);
    }
    const p = parseRouteTests(text, file);
    if (!p.ok) problems.push(...p.errors);
    else parsed.push({ file, cases: p.cases });
  }
  if (problems.length > 0) throw new CommandFailure([...problems, `${problems.length} problem${problems.length === 1 ? '' : 's'} in the test files; no case was run`], ExitCode.Invalid);

  for (const { file, cases } of parsed) {
    for (const c of cases) {
      json.cases++;
      const failure: CaseFailureJson = { file, case: c.index, name: c.name, query: c.query, error: null, diffs: [], route: null };
      let database: string;
      try {
        database = pickDatabase(ctx.table, c.database ?? defaults.database);
      } catch (err) {
        failure.error = (err as CommandFailure).lines.join('; ');
        json.failed++;
        json.failures.push(failure);
        continue;
      }
      const user = pickUser(ctx.config, database, c.user ?? (c.database === null ? defaults.user : undefined));
      const r = route(ctx.table, {
        database,
        user,
        query: c.query,
        analysis: analyze(c.query),
        session: c.session,
        params: c.params === null ? undefined : { values: c.params },
      });
      const diffs = compareRoute(r, c.expect);
      if (diffs.length === 0) {
        json.passed++;
        continue;
      }
      failure.diffs = diffs;
      failure.route = r;
      json.failed++;
      json.failures.push(failure);
    }
  }
  const stdout = json.failures.flatMap((f) => [...formatFailure(f), '']);
  stdout.push(`${json.cases} case${json.cases === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}: ${json.passed} passed, ${json.failed} failed`);
  return { exitCode: json.failed > 0 ? ExitCode.Invalid : ExitCode.Ok, stdout, json };
}
