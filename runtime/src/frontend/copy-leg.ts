// One shard's server while a sharded COPY FROM STDIN runs (sharded-copy.ts): it notes what the
// shard answers (CopyInResponse, the COPY's count or error, each ReadyForQuery) and tells the
// COPY when the shard is ready for data, done, drained or gone. Nothing goes to the client here.

import { readCommandComplete } from '../protocol/backend/command-complete.js';
import { BackendCode } from '../protocol/codes.js';
import { SqlState } from '../protocol/sqlstate.js';
import type { ServerError } from '../backend/server-error.js';
import type { ShardLeg } from './multi-shard.js';
import type { ServerPort, ServerSink } from './server-port.js';
import { errorFrame } from './shard-results.js';

/** What a leg reports to its COPY. */
export interface CopyLegOwner {
  /** The shard sent CopyInResponse (a view). */
  legCopying(leg: CopyLeg, response: Buffer): void;
  /** The COPY statement's ReadyForQuery came (or the connection is gone). */
  legSettled(leg: CopyLeg): void;
  /** pgdog's COMMIT / ROLLBACK was answered (or the connection is gone). */
  legEnded(): void;
  /** The shard's socket took its backlog after a full write. */
  legDrained(): void;
}

export const enum LegPhase {
  Before,
  /** CopyInResponse received: the shard takes copy data. */
  In,
  /** The COPY's ReadyForQuery received. */
  Settled,
  Ending,
  Ended,
  Lost,
}

/** One shard's server while the COPY runs (the leg's own sink is put back at the end). */
export class CopyLeg implements ServerSink {
  phase = LegPhase.Before;
  /** ReadyForQuery answers of statements written ahead of the COPY (BEGIN) still to come. */
  skip = 0;
  error: Buffer | null = null;
  tag: string | null = null;
  status: number;
  full = false;

  constructor(readonly leg: ShardLeg, readonly server: ServerPort, private readonly owner: CopyLegOwner) {
    this.status = leg.status;
  }

  onServerMessage(code: number, buf: Buffer, start: number, end: number): void {
    switch (code) {
      case BackendCode.ReadyForQuery:
        this.status = buf[start + 5]!;
        if (this.skip > 0) this.skip--;
        else if (this.phase === LegPhase.Ending) {
          this.phase = LegPhase.Ended;
          this.owner.legEnded();
        } else if (this.phase === LegPhase.Before || this.phase === LegPhase.In) {
          this.phase = LegPhase.Settled;
          this.owner.legSettled(this);
        }
        return;
      case BackendCode.CopyInResponse:
        if (this.skip === 0 && this.phase === LegPhase.Before) {
          this.phase = LegPhase.In;
          this.owner.legCopying(this, buf.subarray(start, end));
        }
        return;
      case BackendCode.ErrorResponse:
        this.error ??= Buffer.from(buf.subarray(start, end));
        return;
      case BackendCode.CommandComplete:
        if (this.skip === 0 && this.phase === LegPhase.In) this.tag = readCommandComplete(buf, start, end);
        return;
    }
  }

  onServerRun(): void {}

  onServerDrain(): void {
    if (!this.full) return;
    this.full = false;
    this.owner.legDrained();
  }

  onServerClosed(err: ServerError): void {
    const was = this.phase;
    this.phase = LegPhase.Lost;
    this.error ??= errorFrame(err.sqlstate ?? SqlState.ConnectionFailure, err.message);
    if (this.full) {
      this.full = false;
      this.owner.legDrained();
    }
    if (was === LegPhase.Ending) this.owner.legEnded();
    else if (was !== LegPhase.Settled && was !== LegPhase.Ended) this.owner.legSettled(this);
  }

  /** Queues bytes for the server; true when its buffer just filled. */
  write(bytes: Buffer): boolean {
    if (this.phase === LegPhase.Lost) return false;
    if (this.server.write(bytes) || this.full) return false;
    this.full = true;
    return true;
  }
}
