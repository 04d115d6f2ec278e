// Where a pool's servers live: one list (or count) per state, changed only by move(), which asks
// states.ts whether the transition is legal. Counting and inspecting is then cheap and consistent.

import type { ServerConnection } from '../backend/server-connection.js';
import { nextServerState, type ServerEvent, type ServerState } from './states.js';

export interface PoolEntry {
  /** null while connecting. */
  conn: ServerConnection | null;
  state: ServerState;
  /** performance.now() when it last became idle. */
  idleSince: number;
  /** performance.now() after which it is closed at checkin (server_lifetime ± jitter); Infinity: never. */
  expiresAt: number;
  /** performance.now() when the server last proved alive: login, a clean release, a passed check. */
  checkedAt: number;
  /** Position in the EntrySet holding it (active or resetting), else -1. */
  slot: number;
}

/**
 * Entries in no particular order: add and delete in O(1) through the slot each entry keeps,
 * without the rehashing a Set does as it grows and shrinks with every checkout and checkin.
 */
export class EntrySet {
  private readonly items: PoolEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  add(entry: PoolEntry): void {
    entry.slot = this.items.length;
    this.items.push(entry);
  }

  delete(entry: PoolEntry): void {
    const items = this.items;
    const slot = entry.slot;
    if (slot < 0 || items[slot] !== entry) return;
    const last = items.pop() as PoolEntry;
    if (last !== entry) {
      items[slot] = last;
      last.slot = slot;
    }
    entry.slot = -1;
  }

  [Symbol.iterator](): Iterator<PoolEntry> {
    return this.items[Symbol.iterator]();
  }
}

export class ServerLists {
  /** Idle servers, most recently used last: checkout pops from the end (LIFO). */
  readonly idle: PoolEntry[];
  readonly active: EntrySet;
  readonly resetting: EntrySet;
  private connectingCount: number;
  private createdCount: number;
  private closedCount: number;

  constructor() {
    this.idle = [];
    this.active = new EntrySet();
    this.resetting = new EntrySet();
    this.connectingCount = 0;
    this.createdCount = 0;
    this.closedCount = 0;
  }

  get connecting(): number {
    return this.connectingCount;
  }

  /** Servers open or being opened: what pool_size limits. */
  get total(): number {
    return this.idle.length + this.active.size + this.resetting.size + this.connectingCount;
  }

  /** Connections that logged in / that closed, since the pool was created. */
  get created(): number {
    return this.createdCount;
  }

  get closed(): number {
    return this.closedCount;
  }

  /** A new entry in `connecting`. */
  add(): PoolEntry {
    this.connectingCount++;
    return { conn: null, state: 'connecting', idleSince: 0, expiresAt: Infinity, checkedAt: 0, slot: -1 };
  }

  /**
   * The only way an entry changes state. Returns false (and changes nothing) for a transition
   * states.ts does not allow, e.g. a second close.
   */
  move(entry: PoolEntry, event: ServerEvent, now: number): boolean {
    const from = entry.state;
    const to = nextServerState(from, event);
    if (to === null) return false;
    this.leave(entry, from);
    entry.state = to;
    switch (to) {
      case 'idle':
        entry.idleSince = now;
        this.idle.push(entry);
        break;
      case 'active':
        this.active.add(entry);
        break;
      case 'resetting':
        this.resetting.add(entry);
        break;
      case 'closed':
        // A connect that failed (or finished during shutdown) never counted as created.
        if (from !== 'connecting') this.closedCount++;
        break;
      default:
        break;
    }
    if (from === 'connecting' && to === 'idle') this.createdCount++;
    return true;
  }

  private leave(entry: PoolEntry, from: ServerState): void {
    switch (from) {
      case 'connecting':
        this.connectingCount--;
        break;
      case 'idle': {
        const i = this.idle.lastIndexOf(entry);
        if (i === this.idle.length - 1) this.idle.pop();
        else this.idle.splice(i, 1);
        break;
      }
      case 'active':
        this.active.delete(entry);
        break;
      case 'resetting':
        this.resetting.delete(entry);
        break;
      default:
        break;
    }
  }
}
