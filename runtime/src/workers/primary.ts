// The primary process of general.workers > 1: it forks the workers (each runs startServer on the
// shared port; Node's cluster module accepts in the primary and hands connections out round robin,
// which spreads a burst of logins evenly), relays CancelRequests to the worker whose session they
// name, passes reloads and shutdowns on, and replaces a worker that dies. It serves no client itself.

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log.js';
import { isReport, WORKER_ENV, type PrimaryOrder, type WorkerReport } from './worker-messages.js';

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** A graceful close waits this long (general.shutdown_timeout) plus a margin, then kills. */
  readonly shutdownTimeoutMs: number;
  /** How long a worker may take to start listening. Default 60 s. */
  readonly startTimeoutMs?: number;
}

export interface RunningPrimary {
  readonly port: number;
  readonly workers: number;
  /** Process ids of the live workers. */
  pids(): number[];
  /** Every worker reloads the configuration files (each checks them; one with errors is ignored). */
  reload(): void;
  /** Graceful (default): workers finish running transactions as a single process would. */
  close(graceful?: boolean): Promise<void>;
}

/** A worker that dies this soon after it started is replaced after RESTART_DELAY_MS, not at once. */
const QUICK_EXIT_MS = 10_000;
const RESTART_DELAY_MS = 1000;
/** Time a worker gets past shutdown_timeout (its own close bounds pool closing by a few seconds). */
const CLOSE_MARGIN_MS = 10_000;

export function startPrimary(opts: PrimaryOptions): Promise<RunningPrimary> {
  const count = opts.workers;
  const logger = opts.logger;
  // Round robin in the primary, not a shared accept socket: with a shared socket Linux wakes one
  // busy process for most of a burst and the workers end up unevenly loaded.
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const slots: (Worker | null)[] = new Array<Worker | null>(count).fill(null);
  const startedAt: number[] = new Array<number>(count).fill(0);
  const exitWaiters: (() => void)[] = [];
  let port = -1;
  let starting = true;
  let closing = false;

  return new Promise<RunningPrimary>((resolve, reject) => {
    let waiting = count;
    const startTimer = setTimeout(() => fail(`workers did not start listening within ${opts.startTimeoutMs ?? 60_000} ms`), opts.startTimeoutMs ?? 60_000);

    const send = (w: Worker | null, order: PrimaryOrder): void => {
      // A worker on its way out may close the channel under the send: it then hears nothing more,
      // which is what its exit means anyway (the callback keeps the error from being thrown).
      if (w !== null && w.isConnected()) w.send(order, undefined, () => {});
    };
    const live = (): Worker[] => slots.filter((w): w is Worker => w !== null);

    const spawn = (index: number): void => {
      const worker = cluster.fork({ [WORKER_ENV]: `${index}/${count}` });
      slots[index] = worker;
      startedAt[index] = Date.now();
      worker.on('message', (m: unknown) => {
        if (isReport(m)) onReport(index, m);
      });
      worker.on('exit', (code: number | null, signal: string | null) => onExit(index, worker, code, signal));
      worker.on('error', (err: Error) => logger.debug({ worker: index, err }, 'worker channel error'));
    };

    const onReport = (index: number, m: WorkerReport): void => {
      switch (m.pgdog) {
        case 'ready':
          if (!starting) {
            logger.info({ worker: index }, 'worker replaced and listening');
            return;
          }
          port = m.port;
          if (--waiting === 0) {
            starting = false;
            clearTimeout(startTimer);
            logger.info({ workers: count, port }, 'pgdog workers started');
            resolve(api);
          }
          return;
        case 'failed':
          if (starting) fail(m.message);
          else logger.error({ worker: index, reason: m.message }, 'worker failed to start');
          return;
        case 'cancel':
          // Ids are issued per worker by residue (CancelRegistry): the owner is known without asking.
          if (Number.isSafeInteger(m.processId) && m.processId > 0) send(slots[m.processId % count], { pgdog: 'cancel', processId: m.processId, secret: m.secret });
          return;
      }
    };

    const onExit = (index: number, worker: Worker, code: number | null, signal: string | null): void => {
      if (slots[index] === worker) slots[index] = null;
      for (const f of exitWaiters.splice(0)) f();
      if (starting) {
        fail(`worker ${index} exited before listening (${signal ?? `code ${code}`})`);
        return;
      }
      if (closing) return;
      const quick = Date.now() - startedAt[index] < QUICK_EXIT_MS;
      logger.error({ worker: index, pid: worker.process.pid, code, signal }, 'worker exited: its clients were disconnected; starting a new one');
      setTimeout(() => {
        if (!closing && slots[index] === null) spawn(index);
      }, quick ? RESTART_DELAY_MS : 0).unref();
    };

    const allExited = (ms: number): Promise<void> =>
      new Promise((done) => {
        const timer = setTimeout(done, ms);
        const check = (): void => {
          if (live().length === 0) {
            clearTimeout(timer);
            done();
          } else exitWaiters.push(check);
        };
        check();
      });

    const stopAll = async (graceful: boolean, ms: number): Promise<void> => {
      closing = true;
      for (const w of live()) send(w, { pgdog: 'close', graceful });
      await allExited(ms);
      for (const w of live()) w.process.kill('SIGKILL');
      await allExited(2000);
    };

    function fail(message: string): void {
      if (!starting) return;
      starting = false;
      clearTimeout(startTimer);
      void stopAll(false, 5000).then(() => reject(new Error(message)));
    }

    let closed: Promise<void> | null = null;
    const api: RunningPrimary = {
      get port() {
        return port;
      },
      workers: count,
      pids: () => live().map((w) => w.process.pid as number),
      reload() {
        for (const w of live()) send(w, { pgdog: 'reload' });
      },
      close(graceful = true) {
        // A forced close during a graceful one tells the workers again and waits less.
        if (closed === null || !graceful) closed = stopAll(graceful, graceful ? opts.shutdownTimeoutMs + CLOSE_MARGIN_MS : CLOSE_MARGIN_MS);
        return closed;
      },
    };

    for (let i = 0; i < count; i++) spawn(i);
  });
}
