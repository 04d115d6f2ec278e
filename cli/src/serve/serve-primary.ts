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
  let primary: Awaited<ReturnType<typeof startPrimary>>;
  try {
    primary = await startPrimary({ workers: opts.workers, logger, shutdownTimeoutMs: opts.shutdownTimeoutMs });
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    return ExitCode.Usage;
  }

  // Checked here first so that a broken file is reported once, not by every worker.
  const onHangup = (): void => {
    logger.info('SIGHUP: reloading the configuration in every worker');
    void loadServeConfig(opts.files).then(
      (next) => {
        if (!next.ok) {
          for (const line of next.lines) logger.error(line);
          logger.error('reload refused: still serving the previous configuration');
          return;
        }
        for (const d of next.warnings) logger.warn({ file: d.file, line: d.line, column: d.column, code: d.code }, d.message);
        primary.reload();
      },
      (err: unknown) => logger.error({ err }, 'reload failed: still serving the previous configuration'),
    );
  };
  process.on('SIGHUP', onHangup);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: closing every connection now');
        void primary.close(false);
        return;
      }
      stopping = true;
      logger.info({ signal, shutdownTimeoutMs: opts.shutdownTimeoutMs }, 'shutting down: waiting for running transactions');
      void primary.close(true).then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.removeListener('SIGHUP', onHangup);
  logger.info('stopped');
  return ExitCode.Ok;
}
