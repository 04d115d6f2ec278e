// With general.workers > 1 every worker process has pools of its own. The configured sizes are
// totals for the whole pgdog, so each worker holds a part of them: the parts add up to the total
// and differ by at most one, so the server sees no more connections than one process would open.

/** Which worker of how many this process is. */
export interface WorkerShare {
  readonly index: number;
  readonly count: number;
}

/**
 * Worker `index`'s part of `total`. `atLeast` bounds it from below: a pool of size 0 could serve
 * no one, so a pool size smaller than the worker count gives some workers one more than their part.
 */
export function partOf(total: number, share: WorkerShare | undefined, atLeast = 0): number {
  if (share === undefined || share.count <= 1 || !Number.isFinite(total)) return total;
  const base = Math.floor(total / share.count);
  const part = base + (share.index < total % share.count ? 1 : 0);
  return Math.max(part, Math.min(atLeast, total));
}
