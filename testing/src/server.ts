import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath, type PgInstall } from './binaries.js';
import { trackDataDir, untrackDataDir } from './cleanup.js';
import { runAsPg } from './exec.js';
import { renderHba, type HbaRule } from './hba.js';
import { connectClient, lastRows, newClient, newPool, type ConnectionConfig, type PgClient } from './pg-client.js';
import { freePort, isBindFailure } from './ports.js';
import { isPostmasterOf, readPostmasterPid, signalAndWait } from './postmaster.js';
import { cloneForReplica, waitForReplay, waitForStreaming, type ReplicaMethod } from './replica.js';
import { createDatabaseSql, createRoleSql, normalizeDatabase, userRules, type DatabaseSpec, type UserSpec } from './roles.js';
import { renderSettings, type SettingValue } from './quote.js';

export interface ServerInit {
  readonly name: string;
  readonly install: PgInstall;
  readonly dataDir: string;
  readonly logFile: string;
  readonly superuser: string;
  readonly superpassword: string;
  readonly hbaRules: readonly HbaRule[];
  readonly passwords: ReadonlyMap<string, string>;
  readonly primary: PgServer | null;
}

export interface QueryOptions {
  /** Database to run in (default `postgres`). */
  readonly database?: string;
}

export interface ReplicaOptions {
  readonly settings?: Readonly<Record<string, SettingValue>>;
  /** Default: pg_basebackup when the install has it, else the low-level backup API. */
  readonly method?: ReplicaMethod;
}

const HOST = '127.0.0.1';
const START_ATTEMPTS = 5;

/** Every server not yet destroyed, for stopAll(). */
const servers = new Set<PgServer>();
let counter = 0;

export function nextServerName(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

/** Destroys every server this process started (immediate shutdown, dirs removed). */
export async function stopAll(): Promise<void> {
  await Promise.all([...servers].map((s) => s.destroy()));
}

/** A throwaway PostgreSQL server: its data dir, port, and lifecycle. */
export class PgServer {
  readonly host = HOST;
  readonly name: string;
  readonly install: PgInstall;
  readonly dataDir: string;
  readonly logFile: string;
  readonly superuser: string;
  readonly superpassword: string;
  /** The primary this server streams from, while it is a replica. */
  primary: PgServer | null;
  readonly replicas: PgServer[] = [];
  private currentPort = 0;
  private readonly rules: HbaRule[];
  private readonly passwords: Map<string, string>;
  private readonly pools = new Map<string, ReturnType<typeof newPool>>();
  private destroyed = false;

  constructor(init: ServerInit) {
    this.name = init.name;
    this.install = init.install;
    this.dataDir = init.dataDir;
    this.logFile = init.logFile;
    this.superuser = init.superuser;
    this.superpassword = init.superpassword;
    this.rules = [...init.hbaRules];
    this.passwords = new Map(init.passwords);
    this.primary = init.primary;
    servers.add(this);
  }

  get port(): number {
    return this.currentPort;
  }

  /** The running postmaster's pid, or null. */
  get pid(): number | null {
    const pid = readPostmasterPid(this.dataDir);
    return pid !== null && isPostmasterOf(pid, this.dataDir) ? pid : null;
  }

  get isReplica(): boolean {
    return this.primary !== null;
  }

  get hbaRules(): readonly HbaRule[] {
    return this.rules;
  }

  // ---- connecting -------------------------------------------------------------------

  /** Connection parameters; a user created through the harness gets its password filled in. */
  connectionConfig(user = this.superuser, password?: string, database = 'postgres'): ConnectionConfig {
    const pw = password ?? (user === this.superuser ? this.superpassword : this.passwords.get(user));
    return { host: HOST, port: this.port, user, database, ...(pw !== undefined ? { password: pw } : {}) };
  }

  connectionString(user?: string, password?: string, database?: string): string {
    const c = this.connectionConfig(user, password, database);
    const auth = c.password !== undefined ? `${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}` : encodeURIComponent(c.user);
    return `postgresql://${auth}@${c.host}:${c.port}/${encodeURIComponent(c.database)}?sslmode=disable`;
  }

  /** Environment for psql/pgbench/libpq tools. */
  env(user?: string, password?: string, database?: string): Record<string, string> {
    const c = this.connectionConfig(user, password, database);
    return {
      PGHOST: c.host,
      PGPORT: String(c.port),
      PGUSER: c.user,
      PGDATABASE: c.database,
      PGSSLMODE: 'disable',
      ...(c.password !== undefined ? { PGPASSWORD: c.password } : {}),
    };
  }

  /** psql, pgbench, pg_basebackup... of the same install; null when it has none (embedded). */
  pgbin(name: string): string | null {
    return binaryPath(this.install, name);
  }

  /** Runs SQL as the superuser and returns the rows (of the last statement). */
  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts: QueryOptions = {}): Promise<R[]> {
    return lastRows<R>(await this.pool(opts.database ?? 'postgres').query(sql, params));
  }

  /** A connected pg.Client (default: superuser on `postgres`); the caller must end() it. */
  connect(user?: string, password?: string, database?: string): Promise<PgClient> {
    return connectClient(this.connectionConfig(user, password, database));
  }

  private pool(database: string): ReturnType<typeof newPool> {
    let p = this.pools.get(database);
    if (!p) {
      p = newPool(this.connectionConfig(this.superuser, this.superpassword, database));
      this.pools.set(database, p);
    }
    return p;
  }

  private async endPools(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => {})));
  }

  readLog(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  // ---- lifecycle --------------------------------------------------------------------

  /** Starts the server on its current port (same data, same port after stop/kill). */
  async start(): Promise<void> {
    this.assertAlive();
    if (this.pid !== null) return;
    if (this.currentPort === 0) throw new Error(`${this.name}: no port assigned; use startOnFreePort()`);
    trackDataDir(this.dataDir);
    const logStart = fileSize(this.logFile);
    const pgCtl = join(this.install.binDir, 'pg_ctl');
    try {
      await runAsPg(this.install, pgCtl, ['-D', this.dataDir, '-l', this.logFile, '-o', `-p ${this.currentPort}`, '-w', '-t', '60', 'start']);
    } catch (err) {
      const log = readFileSync(this.logFile, 'utf8').slice(logStart);
      throw Object.assign(new Error(`${this.name}: could not start PostgreSQL on port ${this.currentPort}:\n${log.trim()}\n${(err as Error).message}`), {
        bindFailure: isBindFailure(log),
      });
    }
  }

  /** Picks a free port and starts, retrying with another port if it was taken meanwhile. */
  async startOnFreePort(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.currentPort = await freePort();
      try {
        await this.start();
        return;
      } catch (err) {
        if (!(err as { bindFailure?: boolean }).bindFailure || attempt >= START_ATTEMPTS) throw err;
      }
    }
  }

  /** Fast shutdown (clients disconnected, clean checkpoint). */
  async stop(): Promise<void> {
    await this.shutdown('SIGINT');
  }

  /** Immediate shutdown, like a crash: `pg_ctl -m immediate`. Recovery runs on next start. */
  async kill(): Promise<void> {
    await this.shutdown('SIGQUIT');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async shutdown(sig: 'SIGINT' | 'SIGQUIT'): Promise<void> {
    await this.endPools();
    const pid = this.pid;
    if (pid !== null) await signalAndWait(pid, sig, 30_000);
  }

  /** Immediate shutdown and removal of the data dir and log. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    servers.delete(this);
    this.detachFromPrimary();
    await this.shutdown('SIGQUIT');
    untrackDataDir(this.dataDir);
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.logFile, { force: true });
  }

  private assertAlive(): void {
    if (this.destroyed) throw new Error(`${this.name} was destroyed`);
  }

  // ---- roles, databases, pg_hba -------------------------------------------------------

  /**
   * Creates a login role with its password stored as SCRAM or md5, and pg_hba rules for its
   * auth method (on this server and its replicas), then reloads and waits for the reload.
   */
  async createUser(spec: UserSpec): Promise<void> {
    await this.query(createRoleSql(spec));
    this.rememberUser(spec);
    await this.addHbaRules(...userRules(spec));
  }

  /** Records a role created outside createUser (e.g. at startup) so connection helpers know it. */
  rememberUser(spec: UserSpec): void {
    for (const s of this.family()) if (spec.password !== undefined) s.passwords.set(spec.name, spec.password);
  }

  async createDatabase(db: string | DatabaseSpec): Promise<void> {
    await this.query(createDatabaseSql(normalizeDatabase(db)));
  }

  /** Adds rules before the catch-all, on this server and its replicas; reloads them. */
  async addHbaRules(...rules: HbaRule[]): Promise<void> {
    const family = this.family();
    for (const s of family) {
      s.rules.push(...rules);
      s.writeHba();
    }
    await Promise.all(family.filter((s) => s.pid !== null).map((s) => s.reload()));
  }

  /** Rewrites pg_hba.conf from the rule list (used before start, so no reload is needed). */
  writeHba(): void {
    writeFileSync(join(this.dataDir, 'pg_hba.conf'), renderHba(this.rules, this.superuser));
  }

  /** Appends settings to postgresql.conf (later lines win). Takes effect on reload/restart. */
  appendSettings(settings: Readonly<Record<string, SettingValue>>): void {
    writeFileSync(join(this.dataDir, 'postgresql.conf'), renderSettings(settings), { flag: 'a' });
  }

  /**
   * pg_reload_conf() and wait until the postmaster has re-read its files: a new backend
   * inherits the postmaster's pg_conf_load_time(), and the postmaster forks none while
   * it is reloading, so a fresh connection seeing the new time also sees the new pg_hba.
   */
  async reload(timeoutMs = 10_000): Promise<void> {
    const [{ t }] = await this.query<{ t: string }>('SELECT clock_timestamp()::text AS t');
    await this.query('SELECT pg_reload_conf()');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = newClient(this.connectionConfig());
      await client.connect();
      try {
        const res = await client.query<{ done: boolean }>('SELECT pg_conf_load_time() >= $1::timestamptz AS done', [t]);
        if (res.rows[0]?.done) return;
      } finally {
        await client.end();
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: configuration reload not observed within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** This server, its replicas (recursively). */
  private family(): PgServer[] {
    return [this, ...this.replicas.flatMap((r) => r.family())];
  }

  // ---- replication --------------------------------------------------------------------

  /** Clones this (running) server into a replica, starts it on a free port, waits until it streams. */
  async startReplica(opts: ReplicaOptions = {}): Promise<PgServer> {
    this.assertAlive();
    const name = nextServerName('r');
    const session = join(this.dataDir, '..');
    const replica = new PgServer({
      name,
      install: this.install,
      dataDir: join(session, name),
      logFile: join(session, `${name}.log`),
      superuser: this.superuser,
      superpassword: this.superpassword,
      hbaRules: this.rules,
      passwords: this.passwords,
      primary: this,
    });
    try {
      trackDataDir(replica.dataDir);
      await cloneForReplica(
        { install: this.install, config: this.connectionConfig(), dataDir: this.dataDir, applicationName: name },
        replica.dataDir,
        opts.method,
      );
      if (opts.settings) replica.appendSettings(opts.settings);
      await replica.startOnFreePort();
      // Resolve only once replication is established, so tests never race the walreceiver.
      await waitForStreaming(this, name, 30_000);
    } catch (err) {
      await replica.destroy();
      throw err;
    }
    this.replicas.push(replica);
    return replica;
  }

  /** Waits until `replica` has replayed everything committed on this server so far. */
  async waitForReplay(replica: PgServer, timeoutMs = 15_000): Promise<void> {
    await waitForReplay(this, replica, timeoutMs);
  }

  /** Promotes a replica to primary and waits for it to accept writes. */
  async promote(): Promise<void> {
    const [{ ok }] = await this.query<{ ok: boolean }>('SELECT pg_promote(true, 60) AS ok');
    if (!ok) throw new Error(`${this.name}: promotion did not complete`);
    this.detachFromPrimary();
  }

  private detachFromPrimary(): void {
    const siblings = this.primary?.replicas;
    const i = siblings ? siblings.indexOf(this) : -1;
    if (siblings && i >= 0) siblings.splice(i, 1);
    this.primary = null;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
