import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** What a CancelRequest reaches: the session, which knows which server (if any) runs its query. */
export interface CancelTarget {
  cancelRunningQuery(): void;
}

export interface IssuedKey {
  readonly processId: number;
  readonly secretKey: Buffer;
}

interface Entry {
  readonly secretKey: Buffer;
  readonly target: CancelTarget;
}

const MAX_PROCESS_ID = 0x7fffffff;

/**
 * Several worker processes: each issues the process ids congruent to its index modulo the worker
 * count, so any worker can tell whose session a CancelRequest is for (it arrives on a connection of
 * its own, which may land on any worker) and relay it there.
 */
export interface CancelSlot {
  readonly index: number;
  readonly count: number;
  /** Hands a request for another worker's session to that worker (through the primary). */
  relay(processId: number, secretKey: Uint8Array): void;
}

/**
 * pgdog's own BackendKeyData: clients never see a server's key, because their server changes from
 * one transaction to the next. Process ids are unique among live sessions; secrets are random, and
 * a request whose secret does not match is dropped without a word, as PostgreSQL does.
 */
export class CancelRegistry {
  private readonly entries: Map<number, Entry>;
  private nextProcessId: number;
  private readonly slot: CancelSlot | null;
  private readonly step: number;

  constructor(slot: CancelSlot | null = null) {
    this.entries = new Map();
    this.slot = slot !== null && slot.count > 1 ? slot : null;
    this.step = this.slot === null ? 1 : this.slot.count;
    // A random start keeps ids from looking like (and being guessed as) a fresh process's sequence.
    this.nextProcessId = this.inSlot(randomInt(1, MAX_PROCESS_ID));
  }

  /** The first id of this worker's at or after `id` (wrapping to the start of the range). */
  private inSlot(id: number): number {
    if (this.slot === null) return id > MAX_PROCESS_ID ? 1 : id;
    const { index, count } = this.slot;
    let next = id - (id % count) + index;
    if (next < id) next += count;
    if (next > MAX_PROCESS_ID) next = index === 0 ? count : index;
    return next;
  }

  get size(): number {
    return this.entries.size;
  }

  register(target: CancelTarget): IssuedKey {
    let processId = this.nextProcessId;
    while (this.entries.has(processId)) processId = this.inSlot(processId + this.step);
    this.nextProcessId = this.inSlot(processId + this.step);
    const secretKey = randomBytes(4);
    this.entries.set(processId, { secretKey, target });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.entries.delete(processId);
  }

  /**
   * Delivers a CancelRequest; returns whether it matched a live session here. One for another
   * worker's session is relayed to it (false: the answer is that worker's).
   */
  cancel(processId: number, secretKey: Uint8Array): boolean {
    const slot = this.slot;
    if (slot !== null && processId % slot.count !== slot.index) {
      slot.relay(processId, secretKey);
      return false;
    }
    return this.cancelHere(processId, secretKey);
  }

  /** A request relayed from another worker: never relayed again. */
  cancelHere(processId: number, secretKey: Uint8Array): boolean {
    const entry = this.entries.get(processId);
    if (entry === undefined) return false;
    if (secretKey.length !== entry.secretKey.length || !timingSafeEqual(secretKey, entry.secretKey)) return false;
    entry.target.cancelRunningQuery();
    return true;
  }
}
