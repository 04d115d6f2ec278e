// users.toml against pgdog.toml: which databases users reach, duplicates, passwords, and the
// server_auth combinations pgDog refuses.

import { suggest } from './suggest.js';
import { clash, finding, type Finding } from './finding.js';
import type { DatabaseIndex } from './database-index.js';
import type { SemanticDefaults } from './semantic-defaults.js';
import { childPointer } from './pointer.js';
import { asArray, asTable, bool, has, str, tablesOf, type Table } from './shape.js';

/** server_auth modes that fetch credentials elsewhere; pgDog rejects them with passthrough or without TLS verification. */
const EXTERNAL_SERVER_AUTH = new Set(['rds_iam', 'azure_workload_identity', 'vault_dynamic', 'vault_static']);

export interface GeneralSettings {
  authType: string | undefined;
  passthroughAuth: string | undefined;
  tlsVerify: string | undefined;
}

export function generalSettings(pgdog: Table | undefined, d: SemanticDefaults): GeneralSettings {
  const general = asTable(pgdog?.general);
  const pick = (key: string, fallback: string) => (has(general, key) ? str(general, key) : fallback);
  return {
    authType: pick('auth_type', d.authType),
    passthroughAuth: pick('passthrough_auth', d.passthroughAuth),
    tlsVerify: pick('tls_verify', d.tlsVerify),
  };
}

interface UserTargets {
  pointer: string;
  all: boolean;
  /** [database name, pointer of the value naming it] */
  named: [string, string][];
}

function targetsOf(item: Table, at: string): UserTargets {
  const named: [string, string][] = [];
  const database = str(item, 'database');
  // pgDog's default for `database` is "", meaning "not set".
  if (database !== undefined && database !== '') named.push([database, childPointer(at, 'database')]);
  asArray(item.databases)?.forEach((v, k) => {
    if (typeof v === 'string') named.push([v, childPointer(childPointer(at, 'databases'), k)]);
  });
  return { pointer: at, all: bool(item, 'all_databases') === true, named };
}

/** `index` is undefined when pgdog.toml could not be read: references cannot be judged then. */
export function checkUsers(users: Table, index: DatabaseIndex | undefined, general: GeneralSettings | undefined, d: SemanticDefaults): Finding[] {
  const out: Finding[] = [];
  const entries = tablesOf(users, 'users');
  const passthrough = general !== undefined && general.passthroughAuth !== undefined && general.passthroughAuth !== 'disabled';

  // A `users` key that is not an array is the schema stage's to report.
  const declared = has(users, 'users') ? asArray(users.users) : [];
  if (general !== undefined && !passthrough && declared?.length === 0) {
    out.push(finding('users', has(users, 'users') ? '/users' : '', 'value', 'W_NO_USERS', {}));
  }

  const seen = new Map<string, string>();
  for (const { index: i, item } of entries) {
    const at = childPointer('/users', i);
    const name = str(item, 'name');
    const targets = targetsOf(item, at);
    if (index) {
      for (const [database, p] of targets.named) {
        if (index.has(database)) continue;
        const close = suggest(database, index.keys());
        out.push(finding('users', p, 'value', 'E_UNKNOWN_DATABASE', { database, where: `user \`${name ?? i}\`` }, close ? `did you mean \`${close}\`?` : undefined));
      }
    }
    if (name === undefined) continue;
    // A blank `database` is already a schema error; do not pile a warning on top.
    if (!targets.all && targets.named.length === 0 && !has(item, 'database')) out.push(finding('users', at, 'value', 'W_USER_NO_DATABASE', { user: name }));
    for (const [database] of targets.named) {
      const key = `${name}\0${database}`;
      const earlier = seen.get(key);
      if (earlier) out.push(clash('users', childPointer(at, 'name'), 'value', 'E_DUPLICATE_USER', { user: name, database }, earlier));
      else seen.set(key, at);
    }
    if (general) out.push(...passwordAndServerAuth(item, at, name, general, d));
  }
  return out;
}

function passwordAndServerAuth(item: Table, at: string, user: string, general: GeneralSettings, d: SemanticDefaults): Finding[] {
  const out: Finding[] = [];
  const hasSecret = has(item, 'password') || has(item, 'password_hash') || (asArray(item.passwords)?.length ?? 0) > 0 || has(item, 'vault_path');
  if (!hasSecret && general.authType !== undefined && general.authType !== 'trust') {
    out.push(finding('users', at, 'value', 'W_NO_PASSWORD', { user, authType: general.authType }));
  }
  const serverAuth = has(item, 'server_auth') ? str(item, 'server_auth') : d.serverAuth;
  if (serverAuth !== undefined && EXTERNAL_SERVER_AUTH.has(serverAuth)) {
    const p = childPointer(at, 'server_auth');
    if (general.passthroughAuth !== undefined && general.passthroughAuth !== 'disabled') {
      out.push(finding('users', p, 'value', 'E_SERVER_AUTH_CONFLICT', { user, serverAuth, conflict: `passthrough_auth = "${general.passthroughAuth}"` }));
    }
    if (general.tlsVerify === 'disabled') {
      out.push(finding('users', p, 'value', 'E_SERVER_AUTH_CONFLICT', { user, serverAuth, conflict: 'tls_verify = "disabled"' }));
    }
  }
  return out;
}

/** pgDog creates pools only for (user, database) pairs, so a database no user reaches is dead config. */
export function checkDatabasesHaveUsers(users: Table, index: DatabaseIndex, general: GeneralSettings): Finding[] {
  if (general.passthroughAuth !== undefined && general.passthroughAuth !== 'disabled') return [];
  const reached = new Set<string>();
  for (const { index: i, item } of tablesOf(users, 'users')) {
    const t = targetsOf(item, childPointer('/users', i));
    if (t.all) return [];
    for (const [database] of t.named) reached.add(database);
  }
  const out: Finding[] = [];
  for (const info of index.values()) {
    if (!reached.has(info.name)) out.push(finding('pgdog', childPointer(info.entries[0].pointer, 'name'), 'value', 'W_DATABASE_NO_USERS', { database: info.name }));
  }
  return out;
}
