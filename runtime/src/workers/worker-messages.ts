// What the primary process and its workers tell each other over the cluster IPC channel. Every
// message carries `pgdog` so that other users of the channel (Node's own cluster traffic) are told
// apart; secrets travel as hex because the channel serializes JSON.

/** Worker -> primary. */
export type WorkerReport =
  | { readonly pgdog: 'ready'; readonly port: number }
  | { readonly pgdog: 'failed'; readonly message: string }
  | { readonly pgdog: 'cancel'; readonly processId: number; readonly secret: string };

/** Primary -> worker. */
export type PrimaryOrder =
  | { readonly pgdog: 'cancel'; readonly processId: number; readonly secret: string }
  | { readonly pgdog: 'reload' }
  | { readonly pgdog: 'close'; readonly graceful: boolean };

/** Environment variable naming a worker's place: "index/count". */
export const WORKER_ENV = 'PGDOG_WORKER';

export function isReport(m: unknown): m is WorkerReport {
  return typeof m === 'object' && m !== null && typeof (m as { pgdog?: unknown }).pgdog === 'string';
}

export function isOrder(m: unknown): m is PrimaryOrder {
  return isReport(m);
}

/** "index/count" -> the pair, or null when it is not a valid place. */
export function parseWorkerPlace(value: string | undefined): { index: number; count: number } | null {
  const m = /^(\d+)\/(\d+)$/.exec(value ?? '');
  if (m === null) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index < count ? { index, count } : null;
}
