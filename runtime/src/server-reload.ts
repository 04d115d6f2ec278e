// The parts of a reload that are about the configuration rather than the running server: whether
// the SQL parser is needed, and what is logged about a swap.

import type { DeepReadonly, NormalizedConfig } from '@pgdog/compiler';
import type { ReloadPlan } from './config/snapshot-diff.js';
import type { Logger } from './log.js';

/** Statement pooling anywhere: its transaction-block check reads the parsed statement. */
export function needsSqlParser(config: DeepReadonly<NormalizedConfig>): boolean {
  const statement = (mode: string | undefined): boolean => mode === 'statement';
  return (
    statement(config.pgdog.general.pooler_mode) ||
    config.pgdog.databases.some((d) => statement(d.pooler_mode)) ||
    config.users.users.some((u) => statement(u.pooler_mode))
  );
}

/** One info line with what changed (names only, never values), one warning per restart-only setting. */
export function logReload(logger: Logger, plan: ReloadPlan): void {
  const s = plan.summary;
  const fields: Record<string, unknown> = { poolsKept: s.poolsKept, poolsDrained: s.poolsDrained };
  const lists: [string, readonly string[]][] = [
    ['usersAdded', s.usersAdded],
    ['usersRemoved', s.usersRemoved],
    ['usersChanged', s.usersChanged],
    ['databasesAdded', s.databasesAdded],
    ['databasesRemoved', s.databasesRemoved],
    ['databasesChanged', s.databasesChanged],
    ['generalChanged', s.generalChanged],
  ];
  for (const [name, list] of lists) if (list.length > 0) fields[name] = list;
  logger.info(fields, plan.unchanged ? 'configuration reloaded: nothing changed' : 'configuration reloaded');
  for (const warning of plan.restartRequired) logger.warn(warning);
}
