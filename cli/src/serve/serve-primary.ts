// `pgdog serve` with general.workers > 1, in the process the user started: it checks the files
// (so errors are printed once, before any worker starts), forks the workers, and turns signals
// into orders for them. Logs are the workers' own plus a few lines here.

import type { Logger, RunningPrimary } from '@pgdog/runtime';
import { ExitCode } from '../exit-codes.js';
import { loadForReload, type ServeFiles } from './load-serve-config.js';
import { Stopper } from './stopper.js';

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
  const stopper = new Stopper(logger, opts.shutdownTimeoutMs);
  stopper.onSignals();
  let primary: RunningPrimary | null = null;
  let reloadAfterStart = false;
  // Checked here first so that a broken file is reported once, not by every worker.
  const onHangup = (): void => {
    if (stopper.stopping) return;
    if (primary === null) {
      // Workers still starting read the files as they are; those already up must read them again.
      reloadAfterStart = true;
      return;
    }
    const running = primary;
    logger.info('SIGHUP: reloading the configuration in every worker');
    void loadForReload(opts.files, logger, true).then((next) => {
      if (next !== null) running.reload();
    });
  };
  process.on('SIGHUP', onHangup);

  try {
    primary = await startPrimary({ workers: opts.workers, logger, shutdownTimeoutMs: opts.shutdownTimeoutMs });
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    process.removeListener('SIGHUP', onHangup);
    return ExitCode.Usage;
  }
  stopper.attach(primary);
  if (reloadAfterStart) onHangup();
  await stopper.done;
  process.removeListener('SIGHUP', onHangup);
  logger.info('stopped');
  return ExitCode.Ok;
}
