/**
 * client_idle_in_transaction_timeout, as PostgreSQL's idle_in_transaction_session_timeout: the
 * clock starts at a ReadyForQuery that leaves the client inside a transaction block (status T or
 * E) and stops at its next request. The forwarder reports each such ReadyForQuery (start()); the
 * one timer per client asks, when it fires, whether the client is still idle in that transaction
 * (a request since then means it is not, and the next such ReadyForQuery starts the clock again),
 * and re-arms for the rest of the time when a later ReadyForQuery moved the start. Autocommit
 * traffic never reaches this class: its ReadyForQuery says idle.
 */
export class IdleInTransactionWatchdog {
  private timer: NodeJS.Timeout | null;
  /** Date.now() of the last ReadyForQuery that left the client idle in its transaction. */
  private since: number;

  constructor(
    private readonly timeoutMs: number,
    /** Still waiting for the client, with the transaction open. */
    private readonly idleInTransaction: () => boolean,
    private readonly expire: () => void,
  ) {
    this.timer = null;
    this.since = 0;
  }

  /** The client is now idle inside its transaction. */
  start(): void {
    this.since = Date.now();
    if (this.timer === null) this.timer = setTimeout(() => this.check(), this.timeoutMs);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private check(): void {
    this.timer = null;
    if (!this.idleInTransaction()) return;
    const left = this.timeoutMs - (Date.now() - this.since);
    if (left <= 0) {
      this.expire();
      return;
    }
    this.timer = setTimeout(() => this.check(), left);
  }
}
