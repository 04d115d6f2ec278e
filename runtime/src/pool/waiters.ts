// Clients waiting for a server, first come first served. A head index instead of Array.shift()
// keeps taking O(1); a waiter that timed out stays in the array, marked, and is skipped.
//
// Timeouts are deadlines watched by one timer per queue, armed for the earliest one. A timer per
// waiter would be created and cleared for nearly every checkout of a busy pool; this one is not
// cleared when waiters are served: when it fires with nothing due it re-arms or stops. While no
// one waits it does not keep the process alive.

export interface Waiter<T> {
  readonly enqueuedAt: number;
  /** performance.now() at which the wait times out. */
  readonly deadline: number;
  /** What the wait was allowed (for the timeout's message). */
  readonly timeoutMs: number;
  settled: boolean;
  resolve(value: T): void;
  reject(err: Error): void;
}

export class WaiterQueue<T> {
  private items: Waiter<T>[];
  private head: number;
  private live: number;
  private readonly onTimeout: (w: Waiter<T>) => void;
  private timer: NodeJS.Timeout | null;
  /** The deadline `timer` fires for. */
  private timerAt: number;
  private timerRefed: boolean;
  private readonly onTimerBound: () => void;

  /** `onTimeout`: a waiter whose deadline passed, already out of the queue. */
  constructor(onTimeout: (w: Waiter<T>) => void) {
    this.items = [];
    this.head = 0;
    this.live = 0;
    this.onTimeout = onTimeout;
    this.timer = null;
    this.timerAt = Infinity;
    this.timerRefed = false;
    this.onTimerBound = () => this.onTimer();
  }

  /** Waiters not yet served, rejected or timed out. */
  get length(): number {
    return this.live;
  }

  push(w: Waiter<T>, now: number): void {
    this.items.push(w);
    this.live++;
    this.arm(w.deadline, now);
  }

  /** The oldest waiter still waiting, removed from the queue; null when none. */
  shift(): Waiter<T> | null {
    while (this.head < this.items.length) {
      const w = this.items[this.head++];
      if (!w.settled) {
        this.live--;
        this.compact();
        if (this.live === 0) this.unrefTimer();
        return w;
      }
    }
    this.compact();
    return null;
  }

  /** Every waiter still waiting, oldest first; the queue is left empty and its timer stopped. */
  takeAll(): Waiter<T>[] {
    const out = this.items.slice(this.head).filter((w) => !w.settled);
    this.items = [];
    this.head = 0;
    this.live = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    return out;
  }

  private arm(deadline: number, now: number): void {
    const t = this.timer;
    if (t !== null && this.timerAt <= deadline) {
      if (!this.timerRefed) {
        t.ref();
        this.timerRefed = true;
      }
      return;
    }
    if (t !== null) clearTimeout(t);
    this.timerAt = deadline;
    this.timerRefed = true;
    this.timer = setTimeout(this.onTimerBound, Math.max(0, deadline - now));
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    // Timers may fire a little before performance.now() reaches the deadline: 1 ms of slack keeps
    // that from re-arming for a zero delay over and over.
    const now = performance.now() + 1;
    let next = Infinity;
    const items = this.items;
    for (let i = this.head; i < items.length; i++) {
      const w = items[i];
      if (w.settled) continue;
      if (w.deadline <= now) {
        w.settled = true;
        this.live--;
        this.onTimeout(w);
      } else if (w.deadline < next) {
        next = w.deadline;
      }
    }
    if (next !== Infinity) this.arm(next, now - 1);
  }

  private unrefTimer(): void {
    if (this.timer !== null && this.timerRefed) {
      this.timer.unref();
      this.timerRefed = false;
    }
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
