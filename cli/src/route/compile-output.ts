// `pgdog compile`: validate, compile, then write the table (atomically: a serving pgdog never
// reads half a file) or, with --check, compare it with the file on disk.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ExitCode } from '../exit-codes.js';
import { formatDiagnostic, toJsonDiagnostic, type JsonDiagnostic } from '../validate-report.js';
import { CommandFailure } from './command-failure.js';
import { besideConfig } from './routing-context.js';

export const DEFAULT_ROUTES_FILE = 'pgdog.routes.json';

export type CheckResult = 'current' | 'missing' | 'invalid' | 'stale';

export interface CompileJson {
  output: string;
  written: boolean;
  /** --check only. */
  check: CheckResult | null;
  databases: number;
  shardedTables: number;
  rules: number;
  milliseconds: number;
  warnings: JsonDiagnostic[];
}

export interface CompileResult {
  exitCode: number;
  stdout: string[];
  json: CompileJson;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function readExisting(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CommandFailure([`cannot read ${path}: ${(err as Error).message}`], ExitCode.Usage);
  }
}

export async function compileConfig(o: { config: string; users: string; output: string | undefined; check: boolean }): Promise<CompileResult> {
  const { loadConfig, compileRoutingTable, stringifyRoutingTable, parseRoutingTable, isRoutingTableCurrent, isIoDiagnostic } = await import('@pgdog/compiler');
  const started = performance.now();
  const loaded = await loadConfig({ configPath: o.config, usersPath: o.users });
  if (loaded.config === null) {
    const lines = loaded.errors.flatMap(formatDiagnostic);
    lines.push(`${o.config} and ${o.users} are invalid: ${plural(loaded.errors.length, 'error')}; nothing compiled`);
    throw new CommandFailure(lines, loaded.errors.some(isIoDiagnostic) ? ExitCode.Usage : ExitCode.Invalid);
  }
  const table = await compileRoutingTable(loaded.config);
  const text = stringifyRoutingTable(table);
  const output = o.output ?? besideConfig(o.config, DEFAULT_ROUTES_FILE);
  const stdout = loaded.warnings.flatMap(formatDiagnostic);
  const json: CompileJson = {
    output,
    written: false,
    check: null,
    databases: table.databases.length,
    shardedTables: table.databases.reduce((n, d) => n + d.shardedTables.length, 0),
    rules: table.rules.length,
    milliseconds: 0,
    warnings: loaded.warnings.map(toJsonDiagnostic),
  };
  const summary = `${plural(json.databases, 'database')}, ${plural(json.shardedTables, 'sharded table')}, ${plural(json.rules, 'rule')}`;

  if (o.check) {
    const existing = readExisting(output);
    let check: CheckResult;
    let line: string;
    if (existing === null) {
      check = 'missing';
      line = `${output} is missing: run pgdog compile`;
    } else {
      const parsed = parseRoutingTable(existing);
      if (!parsed.ok) {
        check = 'invalid';
        line = `${output} is not a valid routing table (${parsed.errors[0]}): run pgdog compile`;
      } else if (!isRoutingTableCurrent(parsed.table, loaded.config.sources.configSha256, loaded.config.sources.usersSha256)) {
        check = 'stale';
        line = `${output} is stale: it was compiled from other versions of ${o.config} / ${o.users}; run pgdog compile`;
      } else if (existing !== text) {
        check = 'stale';
        line = `${output} was compiled from these files but differs from what this pgdog compiles (edited, or an older pgdog); run pgdog compile`;
      } else {
        check = 'current';
        line = `${output} is up to date (${summary})`;
      }
    }
    json.check = check;
    json.milliseconds = Math.round(performance.now() - started);
    return { exitCode: check === 'current' ? ExitCode.Ok : ExitCode.Invalid, stdout: [...stdout, line], json };
  }

  const tmp = `${output}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, output);
  } catch (err) {
    throw new CommandFailure([`cannot write ${output}: ${(err as Error).message}`], ExitCode.Usage);
  }
  json.written = true;
  json.milliseconds = Math.round(performance.now() - started);
  return { exitCode: ExitCode.Ok, stdout: [...stdout, `wrote ${output}: ${summary} (${json.milliseconds} ms)`], json };
}
