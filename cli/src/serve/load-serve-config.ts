// What `pgdog serve` reads before it serves, at start and again on SIGHUP: both config files and,
// with --routes, the compiled routing table (checked against the files unless --force). Problems
// come back as printable lines (`file:line:col: error CODE message`), never thrown.

import { readFileSync } from 'node:fs';
import type { Diagnostic, DeepReadonly, NormalizedConfig, RoutingTable } from '@pgdog/compiler';
import type { Logger } from '@pgdog/runtime';
import { ExitCode } from '../exit-codes.js';
import { formatDiagnostic } from '../validate-report.js';

export interface ServeFiles {
  readonly config: string;
  readonly users: string;
  readonly routes?: string;
  readonly force: boolean;
}

export type ServeConfig =
  | {
      readonly ok: true;
      readonly config: DeepReadonly<NormalizedConfig>;
      readonly routingTable: RoutingTable | undefined;
      readonly warnings: readonly Diagnostic[];
    }
  | { readonly ok: false; readonly lines: readonly string[]; readonly exitCode: ExitCode };

export async function loadServeConfig(files: ServeFiles): Promise<ServeConfig> {
  const { loadConfig, isIoDiagnostic, parseRoutingTable, isRoutingTableCurrent } = await import('@pgdog/compiler');
  const result = await loadConfig({ configPath: files.config, usersPath: files.users });
  if (result.config === null) {
    const lines: string[] = [];
    for (const d of [...result.errors, ...result.warnings]) lines.push(...formatDiagnostic(d));
    lines.push(`cannot serve: ${files.config} and ${files.users} have ${result.errors.length} error(s)`);
    return { ok: false, lines, exitCode: result.errors.some(isIoDiagnostic) ? ExitCode.Usage : ExitCode.Invalid };
  }
  if (files.routes === undefined) return { ok: true, config: result.config, routingTable: undefined, warnings: result.warnings };
  let text: string;
  try {
    text = readFileSync(files.routes, 'utf8');
  } catch (err) {
    return { ok: false, lines: [`cannot read the routing table ${files.routes}: ${(err as Error).message}`], exitCode: ExitCode.Usage };
  }
  const loaded = parseRoutingTable(text);
  if (!loaded.ok) {
    const lines = loaded.errors.map((e) => `${files.routes}: ${e}`);
    lines.push(`cannot serve: ${files.routes} is not a valid routing table (recompile it with pgdog compile)`);
    return { ok: false, lines, exitCode: ExitCode.Invalid };
  }
  const src = result.config.sources;
  if (!files.force && !isRoutingTableCurrent(loaded.table, src.configSha256, src.usersSha256)) {
    return {
      ok: false,
      lines: [`cannot serve: ${files.routes} was compiled from other versions of ${files.config} / ${files.users}; run pgdog compile, or pass --force`],
      exitCode: ExitCode.Invalid,
    };
  }
  return { ok: true, config: result.config, routingTable: loaded.table, warnings: result.warnings };
}

export type LoadedServeConfig = Extract<ServeConfig, { ok: true }>;

/** Config warnings in the log, each with its position. */
export function logWarnings(logger: Logger, warnings: readonly Diagnostic[]): void {
  for (const d of warnings) logger.warn({ file: d.file, line: d.line, column: d.column, code: d.code }, d.message);
}

/**
 * On a reload: the files read and checked again. Problems are logged and give null, and the
 * running configuration stays. `warnings`: log them too (false where another process already did).
 */
export async function loadForReload(files: ServeFiles, logger: Logger, warnings: boolean): Promise<LoadedServeConfig | null> {
  let next: ServeConfig;
  try {
    next = await loadServeConfig(files);
  } catch (err) {
    logger.error({ err }, 'reload failed: still serving the previous configuration');
    return null;
  }
  if (!next.ok) {
    for (const line of next.lines) logger.error(line);
    logger.error('reload refused: still serving the previous configuration');
    return null;
  }
  if (warnings) logWarnings(logger, next.warnings);
  return next;
}
