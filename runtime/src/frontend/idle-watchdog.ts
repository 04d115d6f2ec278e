/**
 * client_idle_timeout without touching a timer on every read: the session records the time of
 * its last read, and one timer per client checks it, re-arming for the remainder. A client busy
 * with a query (waiting for its server) is never idle.
 */
export class IdleWatchdog {
  private timer: NodeJS.Timeout | null;
  /** Date.now() of the client's last read; written by the session. */
  lastActivity: number;

  constructor(
    private readonly timeoutMs: number,
    private readonly busy: () => boolean,
    private readonly expire: () => void,
  ) {
    this.lastActivity = Date.now();
    this.timer = setTimeout(() => this.check(), timeoutMs);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private check(): void {
    this.timer = null;
    const quiet = Date.now() - this.lastActivity;
    const busy = this.busy();
    if (quiet >= this.timeoutMs && !busy) {
      this.expire();
      return;
    }
    this.timer = setTimeout(() => this.check(), busy ? this.timeoutMs : this.timeoutMs - quiet);
  }
}
