// What route and test need before the first query: the config loaded and validated, its routing
// table compiled, the SQL parser loaded, and the database and user to route as.

import { dirname, join } from 'node:path';
import type { DeepReadonly, LoadConfigResult, NormalizedConfig, RoutingTable } from '@pgdog/compiler';
import { ExitCode } from '../exit-codes.js';
import { CommandFailure } from './command-failure.js';
import { formatDiagnostic } from '../validate-report.js';

export interface RoutingContext {
  config: DeepReadonly<NormalizedConfig>;
  table: RoutingTable;
  warnings: LoadConfigResult['warnings'];
}

export async function loadRoutingContext(configPath: string, usersPath: string): Promise<RoutingContext> {
  const { loadConfig, compileRoutingTable, loadSqlParser, isIoDiagnostic } = await import('@pgdog/compiler');
  const [result] = await Promise.all([loadConfig({ configPath, usersPath }), loadSqlParser()]);
  if (result.config === null) {
    const lines = result.errors.flatMap(formatDiagnostic);
    lines.push(`${configPath} and ${usersPath} are invalid: run pgdog validate for details`);
    throw new CommandFailure(lines, result.errors.some(isIoDiagnostic) ? ExitCode.Usage : ExitCode.Invalid);
  }
  return { config: result.config, table: await compileRoutingTable(result.config), warnings: result.warnings };
}

/** The database to route for: the flag, else the only database of the config. */
export function pickDatabase(table: RoutingTable, flag: string | undefined): string {
  const names = table.databases.map((d) => d.name);
  if (flag !== undefined) {
    if (!names.includes(flag)) throw new CommandFailure([`database "${flag}" is not in the config (databases: ${names.join(', ') || 'none'})`], ExitCode.Usage);
    return flag;
  }
  if (names.length === 1) return names[0];
  throw new CommandFailure([names.length === 0 ? 'the config defines no databases' : `the config has several databases (${names.join(', ')}): pick one with -d`], ExitCode.Usage);
}

/** The user to route as: the flag, else the first users.toml user who can reach the database. */
export function pickUser(config: DeepReadonly<NormalizedConfig>, database: string, flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const u = config.users.users.find((x) => x.all_databases || x.database === database || x.databases.includes(database));
  return u?.name ?? 'pgdog';
}

/** `pgdog.routes.json` or `pgdog.routes.test.toml` beside the config. */
export function besideConfig(configPath: string, name: string): string {
  return join(dirname(configPath), name);
}
