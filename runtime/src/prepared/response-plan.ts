// What the forwarder does with each server frame while pgdog has rewritten a client's batch:
// pass it, swallow it (answers to frames pgdog added), or follow it with frames pgdog answers
// itself. Entries are in the order the server will answer; an ErrorResponse makes the server skip
// to Sync, so the entries it skipped are undone and their synthesised answers dropped, exactly as
// PostgreSQL would have sent nothing for them.

import { BackendCode } from '../protocol/codes.js';

/** Bit set returned per server frame. */
export const enum ServerFrameAction {
  /** Forward the frame as usual. */
  Pass = 0,
  /** Leave the frame out (Framer consume()). */
  Swallow = 1,
  /** After the frame (or in its place, with Swallow), write `plan.takeInjections()` to the client. */
  Inject = 2,
}

const enum Kind {
  /** `count` answers to frames forwarded as they came. */
  Pass,
  /** `count` ReadyForQuery (Sync, Query, FunctionCall): everything up to each passes. */
  Ready,
  /** The client's own Parse, renamed: its ParseComplete passes. */
  ClientParse,
  /** A Parse pgdog added so the server has a statement: its ParseComplete is swallowed. */
  AddedParse,
  /** Close of an evicted statement: its CloseComplete is swallowed. */
  AddedClose,
  /** A frame pgdog answers itself (ParseComplete of a dropped Parse, CloseComplete of a client Close). */
  Local,
  /** A frame sent only to make the server fail here; its ErrorResponse is replaced by `frame`. */
  Fail,
}

interface Entry {
  kind: Kind;
  count: number;
  frame: Buffer | null;
  /** The effect did not happen on the server (it failed or was skipped). */
  undo: (() => void) | null;
  /** Local entries: the effect is confirmed when the answer is sent. */
  commit: (() => void) | null;
}

// Answers that complete one extended-protocol message (or one statement of a simple Query).
const TERMINAL = new Uint8Array(256);
for (const c of [
  BackendCode.ParseComplete, BackendCode.BindComplete, BackendCode.CloseComplete, BackendCode.RowDescription,
  BackendCode.NoData, BackendCode.CommandComplete, BackendCode.EmptyQueryResponse, BackendCode.PortalSuspended,
]) TERMINAL[c] = 1;

const ERROR = BackendCode.ErrorResponse;
const READY = BackendCode.ReadyForQuery;

export class ResponsePlan {
  private readonly entries: Entry[];
  private head: number;
  /** ReadyForQuery still expected by Ready entries. */
  private readyCount: number;
  private readonly outbox: Buffer[];

  constructor() {
    this.entries = [];
    this.head = 0;
    this.readyCount = 0;
    this.outbox = [];
  }

  /** Something is pending: the forwarder must hand every server frame to onServerFrame. */
  get active(): boolean {
    return this.head < this.entries.length;
  }

  /** ReadyForQuery this plan accounts for (the forwarder's own count minus this is unplanned). */
  get pendingReady(): number {
    return this.readyCount;
  }

  // ---- building (client side, in the order frames go to the server) --------------------------

  pass(count: number): void {
    if (count <= 0) return;
    const tail = this.tail();
    if (tail !== null && tail.kind === Kind.Pass) tail.count += count;
    else this.push(Kind.Pass, count, null, null, null);
  }

  ready(count: number): void {
    if (count <= 0) return;
    this.readyCount += count;
    const tail = this.tail();
    if (tail !== null && tail.kind === Kind.Ready) tail.count += count;
    else this.push(Kind.Ready, count, null, null, null);
  }

  clientParse(undo: () => void): void {
    this.push(Kind.ClientParse, 1, null, undo, null);
  }

  addedParse(undo: () => void): void {
    this.push(Kind.AddedParse, 1, null, undo, null);
  }

  addedClose(undo: () => void): void {
    this.push(Kind.AddedClose, 1, null, undo, null);
  }

  local(frame: Buffer, undo: (() => void) | null, commit: (() => void) | null): void {
    this.push(Kind.Local, 1, frame, undo, commit);
  }

  fail(errorFrame: Buffer): void {
    this.push(Kind.Fail, 1, errorFrame, null, null);
  }

  /**
   * Local answers at the head wait for nothing: they are moved to the outbox. Call after building;
   * true when takeInjections() has frames for the client now.
   */
  settleHead(): boolean {
    this.drainLocals();
    return this.outbox.length > 0;
  }

  /** Frames to write to the client now, in order (empties the outbox). */
  takeInjections(): Buffer[] {
    if (this.outbox.length === 0) return NONE;
    const out = this.outbox.slice();
    this.outbox.length = 0;
    return out;
  }

  // ---- applying (server side) ------------------------------------------------------------------

  onServerFrame(code: number): ServerFrameAction {
    const e = this.head < this.entries.length ? this.entries[this.head] : null;
    if (e === null) return ServerFrameAction.Pass;
    let action: ServerFrameAction = ServerFrameAction.Pass;
    if (code === READY) {
      // A ReadyForQuery ends a segment; anything planned before its Ready entry was skipped
      // (an error the plan did not see, e.g. one answered before pgdog started planning).
      this.skipToReady();
      const r = this.entries[this.head];
      if (r !== undefined) {
        this.readyCount--;
        if (--r.count === 0) this.pop();
      }
    } else if (code === ERROR) {
      if (e.kind === Kind.Fail) {
        this.outbox.push(e.frame as Buffer);
        this.pop();
        action = ServerFrameAction.Swallow;
      } else if (e.kind !== Kind.Ready) {
        // The entry at the head failed; the server now skips everything up to Sync.
        e.undo?.();
        this.pop();
      }
      if (e.kind !== Kind.Ready) this.skipToReady();
    } else if (TERMINAL[code] === 1) {
      switch (e.kind) {
        case Kind.Pass:
          if (--e.count === 0) this.pop();
          break;
        case Kind.ClientParse:
          this.pop();
          break;
        case Kind.AddedParse:
        case Kind.AddedClose:
          this.pop();
          action = ServerFrameAction.Swallow;
          break;
        default:
          // Ready: statements of a simple Query; anything else is out of step and passes.
          break;
      }
    } else {
      return ServerFrameAction.Pass;
    }
    this.drainLocals();
    if (this.outbox.length > 0) action |= ServerFrameAction.Inject;
    if (this.head === this.entries.length) this.compact();
    return action;
  }

  /** The server is gone or the client's requests were answered locally: everything is undone. */
  abandon(): void {
    for (let i = this.entries.length - 1; i >= this.head; i--) this.entries[i].undo?.();
    this.entries.length = 0;
    this.head = 0;
    this.readyCount = 0;
    this.outbox.length = 0;
  }

  // ---- internals -------------------------------------------------------------------------------

  private drainLocals(): void {
    while (this.head < this.entries.length) {
      const e = this.entries[this.head];
      if (e.kind !== Kind.Local) break;
      e.commit?.();
      this.outbox.push(e.frame as Buffer);
      this.pop();
    }
  }

  /** Undoes entries up to the next Ready entry (latest first, so earlier state comes back last). */
  private skipToReady(): void {
    let stop = this.head;
    while (stop < this.entries.length && this.entries[stop].kind !== Kind.Ready) stop++;
    for (let i = stop - 1; i >= this.head; i--) this.entries[i].undo?.();
    this.head = stop;
  }

  private pop(): void {
    this.head++;
  }

  private compact(): void {
    this.entries.length = 0;
    this.head = 0;
  }

  private tail(): Entry | null {
    return this.entries.length > this.head ? this.entries[this.entries.length - 1] : null;
  }

  private push(kind: Kind, count: number, frame: Buffer | null, undo: (() => void) | null, commit: (() => void) | null): void {
    this.entries.push({ kind, count, frame, undo, commit });
  }
}

const NONE: Buffer[] = [];
