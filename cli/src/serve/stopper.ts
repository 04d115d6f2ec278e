// How `pgdog serve` stops, the same in one process and in the primary of several: the first stop
// is graceful (running transactions finish, up to shutdown_timeout) unless it says otherwise, and
// any later one closes every connection at once. A stop asked for before there is anything to
// close (a signal while workers start) applies as soon as there is.

import type { Logger } from '@pgdog/runtime';

export interface Closeable {
  close(graceful: boolean): Promise<void>;
}

export class Stopper {
  /** Resolves once the target has closed. */
  readonly done: Promise<void>;
  private target: Closeable | null;
  private mode: 'running' | 'graceful' | 'now';
  private finish: () => void;
  private readonly logger: Logger;
  private readonly shutdownTimeoutMs: number;

  constructor(logger: Logger, shutdownTimeoutMs: number) {
    this.logger = logger;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    this.target = null;
    this.mode = 'running';
    this.finish = () => {};
    this.done = new Promise<void>((resolve) => (this.finish = resolve));
  }

  get stopping(): boolean {
    return this.mode !== 'running';
  }

  stop(graceful: boolean, why: Record<string, unknown>): void {
    if (this.mode !== 'running') {
      this.logger.warn(why, 'second stop: closing every connection now');
      this.mode = 'now';
    } else if (graceful) {
      this.mode = 'graceful';
      this.logger.info({ ...why, shutdownTimeoutMs: this.shutdownTimeoutMs }, 'shutting down: waiting for running transactions');
    } else {
      this.mode = 'now';
      this.logger.warn(why, 'closing every connection now');
    }
    this.apply();
  }

  /** SIGINT and SIGTERM stop it. */
  onSignals(): void {
    process.on('SIGINT', (signal) => this.stop(true, { signal }));
    process.on('SIGTERM', (signal) => this.stop(true, { signal }));
  }

  attach(target: Closeable): void {
    this.target = target;
    if (this.mode !== 'running') this.apply();
  }

  private apply(): void {
    const target = this.target;
    if (target === null) return;
    target.close(this.mode === 'graceful').then(
      () => this.finish(),
      (err: unknown) => {
        this.logger.error({ err }, 'shutdown failed');
        this.finish();
      },
    );
  }
}
