// A valid pair of documents -> the frozen config: [[servers]] folded into databases, every
// schema default filled in, exact 64-bit mapping values restored.

import { applyPgdogDefaults, applyUsersDefaults, type PgdogToml, type UsersToml } from '@pgdog/schemas';
import { restoreBigints } from './validation-view.js';
import type { DeepReadonly, NormalizedConfig, ConfigSources } from './types.js';

/**
 * Only mapping values keep their bigint: they are compared exactly against 64-bit keys. Other
 * integers (timeouts such as i64::MAX meaning "off") stay numbers, which is what consumers expect.
 */
const EXACT_INTEGERS = /^\/sharded_tables\/\d+\/mapping\/\d+\/(values\/\d+|start|end)$|^\/sharded_mappings\/\d+\/(values\/\d+|start|end)$/;

export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value as DeepReadonly<T>;
}

/** `pgdogView` / `usersView` must have passed schema validation (their validation views). */
export function normalizeConfig(
  pgdogView: unknown,
  usersView: unknown,
  pgdogBigints: ReadonlyMap<string, bigint>,
  sources: ConfigSources,
): DeepReadonly<NormalizedConfig> {
  const pgdog = structuredClone(pgdogView) as PgdogToml & { servers?: unknown; databases?: unknown };
  if (pgdog.servers !== undefined && pgdog.databases === undefined) pgdog.databases = pgdog.servers as PgdogToml['databases'];
  delete pgdog.servers;
  const settings = applyPgdogDefaults(pgdog) as NormalizedConfig['pgdog'] & { servers?: unknown };
  delete settings.servers;
  restoreBigints(settings, new Map([...pgdogBigints].filter(([p]) => EXACT_INTEGERS.test(p))));
  const users = applyUsersDefaults(structuredClone(usersView) as UsersToml);
  return deepFreeze({ pgdog: settings, users, sources: { ...sources } });
}
