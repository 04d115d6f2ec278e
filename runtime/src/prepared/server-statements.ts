// Which global statements one server connection has prepared, least recently used first, bounded
// by prepared_statements_limit. State changes are optimistic (made when the frames are written)
// and undone by the response plan when the server skips or rejects them.

import type { GlobalStatement } from './statement-cache.js';

export class ServerStatements {
  /** Insertion order is recency order: the first key is the least recently used. */
  private readonly held: Map<GlobalStatement, number>;
  /** The most recently used statement (the Map's last key) when known: touching it again moves nothing. */
  private last: GlobalStatement | null;
  private limit: number;

  /** `limit`: prepared_statements_limit; Infinity when unset. */
  constructor(limit: number) {
    this.held = new Map();
    this.last = null;
    this.limit = limit > 0 ? limit : Infinity;
  }

  get size(): number {
    return this.held.size;
  }

  has(statement: GlobalStatement): boolean {
    return this.held.has(statement);
  }

  /** Marks a statement used by the batch numbered `batch` (such a statement is never evicted by it). */
  touch(statement: GlobalStatement, batch: number): void {
    // A delete and re-insert per use leaves a hole in the Map each time (rehashed now and then);
    // a client repeating its statement on the same server needs neither.
    if (this.last !== statement) {
      this.held.delete(statement);
      this.last = statement;
    }
    this.held.set(statement, batch);
  }

  /**
   * Records `statement` as prepared and returns the statements to close to stay within the limit:
   * least recently used first, skipping those the current batch uses (a client relying on one
   * mid-batch must never find it gone). The limit may be exceeded while a batch needs more.
   */
  add(statement: GlobalStatement, batch: number): GlobalStatement[] {
    this.touch(statement, batch);
    if (this.held.size <= this.limit) return NO_EVICTIONS;
    const evicted: GlobalStatement[] = [];
    for (const [s, usedBy] of this.held) {
      if (this.held.size - evicted.length <= this.limit) break;
      if (usedBy !== batch) evicted.push(s);
    }
    for (const s of evicted) this.held.delete(s);
    return evicted;
  }

  /** Undo of an add: the Parse failed or was skipped. */
  remove(statement: GlobalStatement): void {
    this.held.delete(statement);
    if (this.last === statement) this.last = null;
  }

  /** Undo of an eviction whose Close the server skipped: it still has the statement (kept as least recent). */
  restore(statement: GlobalStatement): void {
    if (this.held.has(statement)) return;
    const rest = [...this.held];
    this.held.clear();
    this.held.set(statement, -1);
    for (const [s, b] of rest) this.held.set(s, b);
    if (rest.length === 0) this.last = statement;
  }

  /** DISCARD ALL / DEALLOCATE ALL ran on the server itself (session reset): it has nothing now. */
  clear(): void {
    this.held.clear();
    this.last = null;
  }

  setLimit(limit: number): void {
    this.limit = limit > 0 ? limit : Infinity;
  }

  names(): string[] {
    return [...this.held.keys()].map((s) => s.name);
  }
}

const NO_EVICTIONS: GlobalStatement[] = [];

/**
 * Per-connection state outlives a checkout, so it is looked up by the connection object; a
 * WeakMap lets it go with the connection.
 */
export class ServerStatementsRegistry {
  private readonly byServer: WeakMap<object, ServerStatements>;
  private limit: number;

  constructor(limit: number) {
    this.byServer = new WeakMap();
    this.limit = limit;
  }

  for(server: object): ServerStatements {
    let s = this.byServer.get(server);
    if (s === undefined) {
      s = new ServerStatements(this.limit);
      this.byServer.set(server, s);
    }
    return s;
  }
}
