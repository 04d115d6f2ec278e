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
 * pgdog's own BackendKeyData: clients never see a server's key, because their server changes from
 * one transaction to the next. Process ids are unique among live sessions; secrets are random, and
 * a request whose secret does not match is dropped without a word, as PostgreSQL does.
 */
export class CancelRegistry {
  private readonly entries: Map<number, Entry>;
  private nextProcessId: number;

  constructor() {
    this.entries = new Map();
    // A random start keeps ids from looking like (and being guessed as) a fresh process's sequence.
    this.nextProcessId = randomInt(1, MAX_PROCESS_ID);
  }

  get size(): number {
    return this.entries.size;
  }

  register(target: CancelTarget): IssuedKey {
    let processId = this.nextProcessId;
    while (this.entries.has(processId)) processId = processId >= MAX_PROCESS_ID ? 1 : processId + 1;
    this.nextProcessId = processId >= MAX_PROCESS_ID ? 1 : processId + 1;
    const secretKey = randomBytes(4);
    this.entries.set(processId, { secretKey, target });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.entries.delete(processId);
  }

  /** Delivers a CancelRequest; returns whether it matched a live session. */
  cancel(processId: number, secretKey: Uint8Array): boolean {
    const entry = this.entries.get(processId);
    if (entry === undefined) return false;
    if (secretKey.length !== entry.secretKey.length || !timingSafeEqual(secretKey, entry.secretKey)) return false;
    entry.target.cancelRunningQuery();
    return true;
  }
}
