// A read callback is a turn of its own: what it queues for other sockets is written when the
// callback ends, not on a process.nextTick, so the reader knows before its next read whether any
// of its buffer is still referenced by a write that libuv could not finish at once.

/** A writer with bytes queued in the current turn. */
export interface TurnWriter {
  /** Writes what is queued; true when a write went async while referencing queued memory. */
  flushTurn(): boolean;
}

let depth = 0;
let reused = false;
let pinnedInTurn = false;
// A plain count: assigning an array's length goes through a slow runtime path in V8.
const queue: (TurnWriter | null)[] = [];
let queued = 0;

/** True inside a read callback: writers queue here instead of scheduling a tick. */
export function inTurn(): boolean {
  return depth !== 0;
}

/**
 * True while the bytes being handled live in a buffer the reader reuses for its next read: a
 * writer that cannot hand them to the kernel within the turn must copy them.
 */
export function turnMemoryReused(): boolean {
  return reused;
}

export function enqueueForTurn(w: TurnWriter): void {
  if (queued === queue.length) queue.push(w);
  else queue[queued] = w;
  queued++;
}

/** A write made inside the turn but outside its queue (an explicit flush) still holds turn memory. */
export function notePinned(): void {
  if (depth !== 0) pinnedInTurn = true;
}

/** Starts a turn; returns what endTurn needs to restore an enclosing one. */
export function beginTurn(memoryReused: boolean): number {
  const outer = (reused ? 1 : 0) | (pinnedInTurn ? 2 : 0);
  depth++;
  reused = memoryReused;
  pinnedInTurn = false;
  return outer;
}

/**
 * Writes everything queued in the turn. Returns true when some write is still pending in libuv
 * with memory the turn's reader handed out: the reader must not read into that buffer again.
 * A nested turn flushes the enclosing one's writers too, so its verdict carries over outwards.
 */
export function endTurn(outer: number): boolean {
  let pinned = pinnedInTurn;
  let failure: unknown = null;
  // Every writer is flushed even if one throws: a writer left out would never be scheduled again.
  for (let i = 0; i < queued; i++) {
    const w = queue[i] as TurnWriter;
    queue[i] = null;
    try {
      if (w.flushTurn()) pinned = true;
    } catch (e) {
      failure ??= e;
      pinned = true;
    }
  }
  queued = 0;
  depth--;
  reused = (outer & 1) !== 0;
  pinnedInTurn = (outer & 2) !== 0 || (depth !== 0 && pinned);
  if (failure !== null) throw failure;
  return pinned;
}
