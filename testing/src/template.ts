import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PgInstall } from './binaries.js';
import { ensureSession } from './cleanup.js';
import { runAsPg } from './exec.js';
import { renderHba } from './hba.js';
import { renderSettings, type SettingValue } from './quote.js';

export const SUPERUSER = 'postgres';
export const DEFAULT_MAX_CONNECTIONS = 300;

/** An initialised data dir that servers are copied from. */
export interface Template {
  readonly dir: string;
  readonly install: PgInstall;
  readonly superuser: string;
  readonly superpassword: string;
}

/**
 * Settings every test server starts with. Durability is off (fsync, full_page_writes,
 * synchronous_commit): nothing survives an OS crash, and kill() may lose the last few
 * hundred ms of commits (see README). wal_level/max_wal_senders/wal_keep_size make any
 * server usable as a streaming primary without a restart.
 */
export const BASE_SETTINGS: Readonly<Record<string, SettingValue>> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  password_encryption: 'scram-sha-256',
  wal_level: 'replica',
  max_wal_senders: 10,
  max_replication_slots: 10,
  wal_keep_size: '128MB',
  hot_standby: 'on',
  max_connections: DEFAULT_MAX_CONNECTIONS,
  logging_collector: 'off',
  log_line_prefix: '%m [%p] %q%u@%d ',
};

const templates = new Map<string, Promise<Template>>();

/** The process-wide template for an install; initdb runs once, on first use. */
export function templateFor(install: PgInstall): Promise<Template> {
  let t = templates.get(install.binDir);
  if (!t) {
    t = createTemplate(install);
    // A failed initdb must not poison later attempts (e.g. after the user fixes the env).
    t.catch(() => templates.delete(install.binDir));
    templates.set(install.binDir, t);
  }
  return t;
}

async function createTemplate(install: PgInstall): Promise<Template> {
  const session = ensureSession(install.runAs);
  const dir = join(session, `template-${install.kind}`);
  const superpassword = `pw-${randomBytes(12).toString('base64url')}`;
  const pwfile = join(session, `.pw-${install.kind}`);
  writeFileSync(pwfile, `${superpassword}\n`, { mode: 0o600 });
  if (install.runAs) chownSync(pwfile, install.runAs.uid, install.runAs.gid);
  try {
    await runAsPg(install, join(install.binDir, 'initdb'), [
      '-D', dir,
      '-U', SUPERUSER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--no-sync',
      '--no-instructions',
      '-E', 'UTF8',
      '--locale=C',
    ]);
  } finally {
    rmSync(pwfile, { force: true });
  }
  // Files already exist and belong to the server user; appending/rewriting keeps the owner.
  appendFileSync(join(dir, 'postgresql.conf'), `\n# ---- @pgdog/testing ----\n${renderSettings(BASE_SETTINGS)}`);
  writeFileSync(join(dir, 'pg_hba.conf'), renderHba([], SUPERUSER));
  return { dir, install, superuser: SUPERUSER, superpassword };
}
