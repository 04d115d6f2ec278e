import { chownSync, lstatSync, readdirSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { PgInstall } from './binaries.js';
import { runAsPg } from './exec.js';

/**
 * Copies a (stopped) data dir. `cp -a` run as the server user is about twice as fast as
 * fs.cp and yields files owned by that user without a chown pass; fs.cp is the fallback
 * where cp is missing.
 */
export async function copyDataDir(install: PgInstall, src: string, dst: string): Promise<void> {
  try {
    await runAsPg(install, 'cp', ['-a', src, dst]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await copyFiltered(src, dst, () => false);
    chownToServerUser(install, dst);
  }
}

/** fs copy (modes and times kept, owner not) skipping paths relative to src for which `skip` is true. */
export async function copyFiltered(src: string, dst: string, skip: (rel: string) => boolean): Promise<void> {
  await cp(src, dst, {
    recursive: true,
    preserveTimestamps: true,
    filter: (from) => {
      const rel = relative(src, from);
      return rel === '' || !skip(rel);
    },
  });
}

/** Files the harness wrote as root must belong to the server user or it cannot open them. */
export function chownToServerUser(install: PgInstall, dir: string): void {
  if (install.runAs) chownTree(dir, install.runAs.uid, install.runAs.gid);
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}
