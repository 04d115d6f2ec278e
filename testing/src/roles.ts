import { rulesForUser, type AuthMethod, type HbaRule } from './hba.js';
import { quoteIdent, quoteLiteral } from './quote.js';

export interface UserSpec {
  readonly name: string;
  /** Required unless auth is 'trust'. */
  readonly password?: string;
  /** pg_hba method for this user; default 'scram'. */
  readonly auth?: AuthMethod;
  /** How the password is stored in pg_authid; default 'md5' when auth is 'md5', else 'scram'. */
  readonly stored?: 'scram' | 'md5';
  /** Databases the pg_hba rules cover; default all. */
  readonly databases?: readonly string[];
  readonly superuser?: boolean;
  readonly replication?: boolean;
  readonly createdb?: boolean;
}

export interface DatabaseSpec {
  readonly name: string;
  readonly owner?: string;
}

export function storedAs(spec: UserSpec): 'scram' | 'md5' {
  return spec.stored ?? (spec.auth === 'md5' ? 'md5' : 'scram');
}

/**
 * One simple-query string creating the role. SET LOCAL keeps the md5 password_encryption
 * from leaking into the pooled session that runs it.
 */
export function createRoleSql(spec: UserSpec): string {
  const auth = spec.auth ?? 'scram';
  if (spec.password === undefined && auth !== 'trust') {
    throw new Error(`user ${spec.name}: a password is required for auth '${auth}'`);
  }
  const opts = [
    'LOGIN',
    spec.superuser ? 'SUPERUSER' : '',
    spec.replication ? 'REPLICATION' : '',
    spec.createdb ? 'CREATEDB' : '',
    spec.password !== undefined ? `PASSWORD ${quoteLiteral(spec.password)}` : '',
  ].filter(Boolean);
  const enc = storedAs(spec) === 'md5' ? 'md5' : 'scram-sha-256';
  return `BEGIN; SET LOCAL password_encryption = '${enc}'; CREATE ROLE ${quoteIdent(spec.name)} ${opts.join(' ')}; COMMIT`;
}

export function userRules(spec: UserSpec): HbaRule[] {
  return rulesForUser(spec.name, spec.auth ?? 'scram', spec.databases ?? []);
}

export function createDatabaseSql(db: DatabaseSpec): string {
  return `CREATE DATABASE ${quoteIdent(db.name)}${db.owner ? ` OWNER ${quoteIdent(db.owner)}` : ''}`;
}

export function normalizeDatabase(db: string | DatabaseSpec): DatabaseSpec {
  return typeof db === 'string' ? { name: db } : db;
}
