import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { PgInstall } from './binaries.js';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

export class ExecError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

export interface ExecOptions {
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/**
 * Environment for server-side tools: the caller's PG* variables are dropped so that a
 * developer's PGHOST/PGPORT cannot redirect pg_basebackup or pg_ctl, and HOME points
 * somewhere the unprivileged user can read (it cannot read /root/.pgpass).
 */
function toolEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PG') && v !== undefined) env[k] = v;
  }
  env.HOME = tmpdir();
  env.LC_ALL = 'C';
  return { ...env, ...extra };
}

/** Runs a program as the install's server user (or as ourselves), collecting its output. */
export function runAsPg(install: PgInstall, file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      // A cwd the postgres user cannot enter makes initdb/pg_ctl print warnings or fail.
      cwd: tmpdir(),
      env: toolEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(install.runAs ? { uid: install.runAs.uid, gid: install.runAs.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolvePromise({ stdout, stderr });
        return;
      }
      const how = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}` : `exit code ${code}`;
      reject(new ExecError(`${file} ${args.join(' ')}: ${how}\n${stderr}${stdout}`.trimEnd(), code, stdout, stderr));
    });
  });
}
