// Clients waiting for a server, first come first served. A head index instead of Array.shift()
// keeps taking O(1); a waiter that timed out stays in the array, marked, and is skipped.

export interface Waiter<T> {
  readonly enqueuedAt: number;
  settled: boolean;
  timer: NodeJS.Timeout | null;
  resolve(value: T): void;
  reject(err: Error): void;
}

export class WaiterQueue<T> {
  private items: Waiter<T>[];
  private head: number;
  private live: number;

  constructor() {
    this.items = [];
    this.head = 0;
    this.live = 0;
  }

  /** Waiters not yet served, rejected or timed out. */
  get length(): number {
    return this.live;
  }

  push(w: Waiter<T>): void {
    this.items.push(w);
    this.live++;
  }

  /** The oldest waiter still waiting, removed from the queue; null when none. */
  shift(): Waiter<T> | null {
    while (this.head < this.items.length) {
      const w = this.items[this.head++];
      if (!w.settled) {
        this.live--;
        this.compact();
        return w;
      }
    }
    this.compact();
    return null;
  }

  /** Marks a waiter gone (timed out) without searching for it. */
  cancel(w: Waiter<T>): void {
    if (w.settled) return;
    w.settled = true;
    this.live--;
  }

  /** Every waiter still waiting, oldest first; the queue is left empty. */
  takeAll(): Waiter<T>[] {
    const out = this.items.slice(this.head).filter((w) => !w.settled);
    this.items = [];
    this.head = 0;
    this.live = 0;
    return out;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
