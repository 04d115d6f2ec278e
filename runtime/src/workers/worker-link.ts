// The worker side of general.workers: this process serves clients on the port the primary shares,
// and takes its orders (reload, close, relayed cancels) from the primary instead of from signals.

import cluster from 'node:cluster';
import type { CancelSlot } from '../frontend/cancel-registry.js';
import { isOrder, parseWorkerPlace, WORKER_ENV, type WorkerReport } from './worker-messages.js';

export interface WorkerLink extends CancelSlot {
  /** Tells the primary the worker is listening. */
  ready(port: number): void;
  /** Tells the primary the worker could not start (it exits after this). */
  failed(message: string): void;
  onReload(f: () => void): void;
  /** Also called (graceful) when the primary is gone: a worker never outlives it. */
  onClose(f: (graceful: boolean) => void): void;
  onCancel(f: (processId: number, secretKey: Buffer) => void): void;
}

/** The link of a process forked as a pgdog worker, else null. */
export function workerLink(): WorkerLink | null {
  if (!cluster.isWorker || typeof process.send !== 'function') return null;
  const place = parseWorkerPlace(process.env[WORKER_ENV]);
  if (place === null) return null;
  const reloads: (() => void)[] = [];
  const closes: ((graceful: boolean) => void)[] = [];
  const cancels: ((processId: number, secretKey: Buffer) => void)[] = [];
  const send = (m: WorkerReport): void => {
    if (process.connected) process.send?.(m);
  };
  process.on('message', (m: unknown) => {
    if (!isOrder(m)) return;
    switch (m.pgdog) {
      case 'reload':
        for (const f of reloads) f();
        return;
      case 'close':
        for (const f of closes) f(m.graceful === true);
        return;
      case 'cancel':
        if (typeof m.processId === 'number' && typeof m.secret === 'string') for (const f of cancels) f(m.processId, Buffer.from(m.secret, 'hex'));
        return;
    }
  });
  process.on('disconnect', () => {
    for (const f of closes) f(true);
  });
  return {
    index: place.index,
    count: place.count,
    relay(processId, secretKey) {
      send({ pgdog: 'cancel', processId, secret: Buffer.from(secretKey).toString('hex') });
    },
    ready(port) {
      send({ pgdog: 'ready', port });
    },
    failed(message) {
      // Then let go of the channel: it would keep this process (which has nothing left to do) alive.
      if (process.connected) process.send?.({ pgdog: 'failed', message } satisfies WorkerReport, () => process.disconnect());
    },
    onReload(f) {
      reloads.push(f);
    },
    onClose(f) {
      closes.push(f);
    },
    onCancel(f) {
      cancels.push(f);
    },
  };
}
