// How a sharded client's extended-protocol batch is routed, given where its transaction stands:
// on the single-server path's server (or nowhere yet), or on MultiShard's shards. One object per
// client, reset before each batch, so routing a batch allocates nothing of its own.

import { TransactionStatus } from '../protocol/backend/ready-for-query.js';
import type { BindMessage } from '../protocol/frontend/bind.js';
import type { BatchRouting, ExecuteRoute } from './extended-batch.js';
import type { QueryRouter } from './query-router.js';

const NO_SHARDS: readonly number[] = [];

export class ClientBatchRouting implements BatchRouting {
  enlisted: readonly number[] = NO_SHARDS;
  failed = false;
  readonly anyShard = 0;
  private readonly tx = { inTransaction: false, beginHeld: false };
  /** Where a SET or the like may run (the single-server path tracks it there); null: refused. */
  private sessionShard: number | null = 0;
  private readonly attachedShard: number[] = [0];

  constructor(private readonly router: QueryRouter) {}

  get inTransaction(): boolean {
    return this.tx.inTransaction;
  }

  /**
   * Nothing runs on several shards. `attached`: the shard of the server the single-server path
   * holds, or null; `status`: its transaction status; `beginHeld`: a BEGIN waits to be sent.
   */
  resetSingle(attached: number | null, status: number, beginHeld: boolean): void {
    const single = attached !== null && status !== TransactionStatus.Idle;
    this.tx.inTransaction = single || beginHeld;
    this.sessionShard = attached ?? 0;
    if (single) this.attachedShard[0] = attached;
    this.enlisted = single ? this.attachedShard : NO_SHARDS;
    this.failed = single && status === TransactionStatus.Failed;
  }

  /** The client's transaction (or last statement) is on MultiShard: session changes are refused. */
  resetMulti(inTransaction: boolean, shards: readonly number[], failed: boolean): void {
    this.tx.inTransaction = inTransaction;
    this.sessionShard = null;
    this.enlisted = inTransaction ? shards : NO_SHARDS;
    this.failed = failed;
  }

  /** The batch cannot run on the single-server path: its session changes are refused instead. */
  refuseSessionChanges(): void {
    this.sessionShard = null;
  }

  route(sql: string, bind: BindMessage): ExecuteRoute {
    return this.router.routeBound(sql, bind, this.tx, this.sessionShard);
  }
}
