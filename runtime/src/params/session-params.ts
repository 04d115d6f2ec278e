// One client's session parameters in transaction mode. Values are kept as the statement that sets
// them on a server, so syncing is string comparison and concatenation. Startup parameters are the
// session defaults RESET returns to; SET outside a transaction applies once it succeeded; inside
// a transaction block it applies when the block commits; SET LOCAL never persists.

import type { SetInfo, StatementAnalysis } from '@pgdog/compiler';
import { quoteLiteral, quoteParameterName } from './quote.js';
import { parseStartupOptions } from './startup-options.js';
import type { ServerParams } from './sync-plan.js';

/** Startup keys that are not parameters (or are fixed for the connection). */
const NOT_PARAMETERS: ReadonlySet<string> = new Set(['user', 'database', 'options', 'replication', 'client_encoding']);

/** The statement that gives `name` the raw value `value`, as a startup packet would. */
export function rawAssignment(name: string, value: string): string {
  return `SELECT pg_catalog.set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, false)`;
}

/** SET with each value as a literal: the grammar turns identifiers and literals alike into string constants. */
export function setAssignment(name: string, values: readonly string[]): string {
  return `SET ${quoteParameterName(name)} TO ${values.map(quoteLiteral).join(', ')}`;
}

type Change =
  | { op: 'set'; name: string; sql: string }
  | { op: 'reset'; name: string }
  | { op: 'reset_all' }
  | { op: 'savepoint'; name: string }
  | { op: 'release'; name: string }
  | { op: 'rollback_to'; name: string }
  | { op: 'begin' }
  | { op: 'commit'; chain: boolean }
  | { op: 'rollback'; chain: boolean };

interface Request {
  changes: Change[];
  /** ReadyForQuery of earlier, untracked requests to let pass first. */
  skip: number;
}

export class SessionParams {
  /** Session defaults: startup packet values (RESET / RESET ALL return here). */
  private readonly defaults: Map<string, string>;
  private readonly committed: Map<string, string>;
  /** Open transaction block: its changes and savepoint markers, or null. */
  private tx: Change[] | null;
  private txFailed: boolean;
  private readonly requests: Request[];
  private building: Change[] | null;
  /** Status of the last ReadyForQuery seen. */
  private status: number;
  /** During ready(): the connection whose state follows the applied changes. */
  private server: ServerParams | null;

  constructor(startup: Readonly<Record<string, string>>) {
    this.defaults = new Map();
    for (const [key, value] of Object.entries(startup)) {
      if (key === 'options') {
        for (const s of parseStartupOptions(value)) this.defaults.set(s.name, rawAssignment(s.name, s.value));
      } else if (!NOT_PARAMETERS.has(key.toLowerCase())) {
        this.defaults.set(key.toLowerCase(), rawAssignment(key.toLowerCase(), value));
      }
    }
    this.committed = new Map(this.defaults);
    this.tx = null;
    this.txFailed = false;
    this.requests = [];
    this.building = null;
    this.status = 0x49;
    this.server = null;
  }

  /** name -> statement setting it, for every parameter that differs from the server default. */
  get values(): ReadonlyMap<string, string> {
    return this.committed;
  }

  /** Requests with parameter effects await their ReadyForQuery: call ready() at each one. */
  get tracking(): boolean {
    return this.requests.length > 0 || this.tx !== null;
  }

  /**
   * One statement the client sends (each of a simple Query, or the statement of an Execute).
   * Cheap for statements that change nothing. `pendingReady`: ReadyForQuery the forwarder still
   * awaits before this request's own; `status`: the forwarder's last known status.
   */
  statement(a: StatementAnalysis, pendingReady: number, status: number): void {
    const change = changeOf(a);
    if (change === null) return;
    // Transaction control matters only around tracked changes; plain BEGIN/COMMIT traffic costs nothing.
    if (!this.tracking && this.building === null && isTransactionControl(change)) return;
    this.record(change, pendingReady, status);
  }

  /** Every statement of one simple Query: tracked as a whole once any of them changes a parameter. */
  query(statements: readonly StatementAnalysis[], pendingReady: number, status: number): void {
    let interesting = this.tracking || this.building !== null;
    const changes: Change[] = [];
    for (const a of statements) {
      const c = changeOf(a);
      if (c === null) continue;
      changes.push(c);
      if (!isTransactionControl(c)) interesting = true;
    }
    if (!interesting) return;
    if (changes.length === 0) this.open(pendingReady, status);
    for (const c of changes) this.record(c, pendingReady, status);
  }

  private record(change: Change, pendingReady: number, status: number): void {
    this.open(pendingReady, status);
    (this.building as Change[]).push(change);
  }

  /** Starts the request being sent, if not yet. */
  private open(pendingReady: number, status: number): void {
    if (this.building !== null) return;
    if (this.requests.length === 0) this.status = status;
    this.building = [];
    this.requests.push({ changes: this.building, skip: this.requests.length === 0 ? pendingReady : 0 });
  }

  /**
   * The request (Query or Sync) was sent. For a Sync give `pendingReady` and `status`: while
   * changes await their ReadyForQuery, a batch without any is still a request to line up.
   */
  endRequest(pendingReady = -1, status = 0x49): void {
    if (this.building === null && pendingReady >= 0 && this.tracking) this.open(pendingReady, status);
    this.building = null;
  }

  /**
   * A ReadyForQuery reached the client; `error`: an ErrorResponse came in the same request.
   * `server`: what pgdog knows of the connection that ran the request; changes that took effect
   * are mirrored there as the server applied them (RESET goes to the server's own default).
   */
  ready(status: number, error: boolean, server: ServerParams | null = null): void {
    this.server = server;
    try {
      this.onReady(status, error);
    } finally {
      this.server = null;
    }
  }

  private onReady(status: number, error: boolean): void {
    const head = this.requests[0];
    if (head === undefined) {
      // A request without parameter effects inside a block holding tracked changes.
      if (error && status === 0x45) this.txFailed = true;
      if (status === 0x49) this.endTx(false);
      this.status = status;
      return;
    }
    if (head.skip > 0) {
      head.skip--;
      this.status = status;
      return;
    }
    this.requests.shift();
    if (head.changes === this.building) this.building = null;
    if (error) {
      // The failing statement and those after it did not run; the ones before it cannot be told
      // apart from the frame stream, so the whole request is dropped (see README).
      if (status === 0x49) this.endTx(false);
      else if (status === 0x45) this.txFailed = true;
    } else {
      this.apply(head.changes);
    }
    this.status = status;
    if (status === 0x49 && this.tx !== null) this.endTx(false);
  }

  /** The client's server was closed or rolled back under it: an open block's changes are lost. */
  abandon(): void {
    this.requests.length = 0;
    this.building = null;
    this.endTx(false);
  }

  /** DISCARD ALL / RESET ALL outside a transaction: back to the startup values. */
  resetAll(): void {
    this.committed.clear();
    for (const [k, v] of this.defaults) this.committed.set(k, v);
  }

  private apply(changes: Change[]): void {
    let inTx = this.tx !== null || this.status !== 0x49;
    if (inTx && this.tx === null) this.tx = [];
    for (const c of changes) {
      switch (c.op) {
        case 'begin':
          if (!inTx) {
            inTx = true;
            this.tx = [];
            this.txFailed = false;
          }
          break;
        case 'commit':
          this.endTx(!this.txFailed);
          inTx = c.chain;
          if (c.chain) this.tx = [];
          break;
        case 'rollback':
          this.endTx(false);
          inTx = c.chain;
          if (c.chain) this.tx = [];
          break;
        case 'savepoint':
          if (inTx) this.tx!.push(c);
          break;
        case 'release': {
          if (!inTx) break;
          const at = lastMarker(this.tx!, c.name);
          if (at >= 0) this.tx = this.tx!.filter((x, i) => i < at || (i > at && x.op !== 'savepoint'));
          break;
        }
        case 'rollback_to': {
          if (!inTx) break;
          // A savepoint pgdog never saw was set before any tracked change: everything goes.
          const at = lastMarker(this.tx!, c.name);
          this.tx!.length = at + 1;
          this.txFailed = false;
          break;
        }
        default:
          if (inTx) this.tx!.push(c);
          else this.applyOne(c);
      }
    }
  }

  private endTx(commit: boolean): void {
    const tx = this.tx;
    this.tx = null;
    this.txFailed = false;
    if (commit && tx !== null) for (const c of tx) this.applyOne(c);
  }

  private applyOne(c: Change): void {
    const server = this.server?.values;
    if (c.op === 'set') {
      this.committed.set(c.name, c.sql);
      server?.set(c.name, c.sql);
    } else if (c.op === 'reset') {
      const d = this.defaults.get(c.name);
      if (d === undefined) this.committed.delete(c.name);
      else this.committed.set(c.name, d);
      server?.delete(c.name);
    } else if (c.op === 'reset_all') {
      this.resetAll();
      server?.clear();
    }
  }
}

function isTransactionControl(c: Change): boolean {
  return c.op !== 'set' && c.op !== 'reset' && c.op !== 'reset_all';
}

function lastMarker(tx: Change[], name: string): number {
  for (let i = tx.length - 1; i >= 0; i--) {
    const c = tx[i];
    if (c.op === 'savepoint' && c.name === name) return i;
  }
  return -1;
}

/** The parameter effect of one statement, or null. */
export function changeOf(a: StatementAnalysis): Change | null {
  if (a.set !== null) return setChange(a.set);
  const t = a.transaction;
  if (t !== null) {
    switch (t.action) {
      case 'begin':
        return { op: 'begin' };
      case 'commit':
      case 'prepare':
        return { op: 'commit', chain: t.chain };
      case 'rollback':
        return { op: 'rollback', chain: t.chain };
      case 'savepoint':
        return { op: 'savepoint', name: t.savepoint ?? '' };
      case 'release':
        return { op: 'release', name: t.savepoint ?? '' };
      case 'rollback_to':
        return { op: 'rollback_to', name: t.savepoint ?? '' };
      default:
        return null;
    }
  }
  return null;
}

function setChange(s: SetInfo): Change | null {
  if (s.local || s.name === null && s.action !== 'reset_all') return null;
  switch (s.action) {
    case 'set':
      return { op: 'set', name: s.name as string, sql: setAssignment(s.name as string, s.values.map((v) => v.text)) };
    case 'default':
    case 'reset':
      return { op: 'reset', name: s.name as string };
    case 'reset_all':
      return { op: 'reset_all' };
    default:
      return null;
  }
}
