// Semantic checks: what a JSON Schema cannot say because it needs two places (or two files)
// at once. They run on the parsed documents even when schema validation failed, reading only
// the parts that are well-formed.

import type { Finding } from './finding.js';
import { hostEntries, indexDatabases, type DatabaseIndex } from './database-index.js';
import type { SemanticDefaults } from './semantic-defaults.js';
import { checkDuplicateHosts, checkHasDatabases, checkServersAndDatabases, checkShardNumbers } from './semantic-databases.js';
import { checkSharding } from './semantic-sharding.js';
import { checkDatabasesHaveUsers, checkUsers, generalSettings, type GeneralSettings } from './semantic-users.js';
import type { Table } from './shape.js';

/** A document that failed to load is passed as undefined; checks needing it are skipped. */
export function checkSemantics(pgdog: Table | undefined, users: Table | undefined, d: SemanticDefaults): Finding[] {
  const out: Finding[] = [];
  let index: DatabaseIndex | undefined;
  let general: GeneralSettings | undefined;
  if (pgdog) {
    index = indexDatabases(hostEntries(pgdog, d));
    general = generalSettings(pgdog, d);
    out.push(...checkServersAndDatabases(pgdog), ...checkHasDatabases(pgdog));
    out.push(...checkDuplicateHosts(index), ...checkShardNumbers(index), ...checkSharding(pgdog, index, d));
  }
  if (users) {
    out.push(...checkUsers(users, index, general, d));
    if (index && general) out.push(...checkDatabasesHaveUsers(users, index, general));
  }
  return out;
}
