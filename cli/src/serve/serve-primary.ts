// `pgdog serve` with general.workers > 1, in the process the user started: it checks the files
// (so errors are printed once, before any worker starts), forks the workers, and turns signals
// into orders for them. Logs are the workers' own plus a few lines here.

import type { Logger } from '@pgdog/runtime';
import { ExitCode } from '../exit-codes.js';
import { loadServeConfig, type ServeFiles } from './load-serve-config.js';

export interface ServePrimaryOptions {
  readonly files: ServeFiles;
  readonly workers: number;
  readonly logger: Logger;
  readonly shutdownTimeoutMs: number;
}

/** Runs until the workers have stopped; resolves with the exit code. */
export async function servePrimary(opts: ServePrimaryOptions): Promise<ExitCode> {
  const { startPrimary } = await import('@pgdog/runtime');
  const logger = opts.logger;
  // Signals are ours from before the first fork: workers log 'listening' before startPrimary
  // returns, and a SIGTERM then must stop them, not kill this process and orphan them.
  let primary: Awaited<ReturnType<typeof startPrimary>> | null = null;
  let stopping: 'no' | 'graceful' | 'now' = 'no';
  let stopped: () => void = () => {};
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const stop = (): void => {
    if (primary === null) return;
    void primary.close(stopping === 'graceful').then(() => stopped());
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== 'no') {
      logger.warn({ signal }, 'second signal: closing every connection now');
      stopping = 'now';
      stop();
      return;
    }
    stopping = 'graceful';
    logger.info({ signal, shutdownTimeoutMs: opts.shutdownTimeoutMs }, 'shutting down: waiting for running transactions');
    stop();
  };
  // Checked here first so that a broken file is reported once, not by every worker.
  let reloadAfterStart = false;
  const onHangup = (): void => {
    if (stopping !== 'no') return;
    if (primary === null) {
      // Workers still starting read the files as they are; those already up must read them again.
      reloadAfterStart = true;
      return;
    }
    const running = primary;
    logger.info('SIGHUP: reloading the configuration in every worker');
    void loadServeConfig(opts.files).then(
      (next) => {
        if (!next.ok) {
          for (const line of next.lines) logger.error(line);
          logger.error('reload refused: still serving the previous configuration');
          return;
        }
        for (const d of next.warnings) logger.warn({ file: d.file, line: d.line, column: d.column, code: d.code }, d.message);
        running.reload();
      },
      (err: unknown) => logger.error({ err }, 'reload failed: still serving the previous configuration'),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);

  try {
    primary = await startPrimary({ workers: opts.workers, logger, shutdownTimeoutMs: opts.shutdownTimeoutMs });
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    process.removeListener('SIGHUP', onHangup);
    return ExitCode.Usage;
  }
  if (stopping !== 'no') stop();
  else if (reloadAfterStart) onHangup();
  await done;
  process.removeListener('SIGHUP', onHangup);
  logger.info('stopped');
  return ExitCode.Ok;
}
