// route()'s answers for a client's bound statements, kept per key shard. A sharded extended-protocol
// client binds the same few statements over and over, and for most of them (`... WHERE key = $1`)
// the compiler can say that route() depends on the Bind values only through the shard one
// parameter maps to (boundKeyOf). So the first Bind of each shard is routed in full and its answer
// kept; later Binds map their key value to a shard and take the kept answer. Everything else the
// answer depends on is compared before a kept answer is used: the routing session (hints, SET,
// transaction state), the column orders provided for INSERTs, and where a session change may run.

import { boundKeyOf, type BoundKey, type PlanCache, type RouteSession, type RoutingTable } from '@pgdog/compiler';
import { BindFrame, type BindMessage } from '../protocol/frontend/bind.js';
import type { ExecuteRoute } from './extended-batch.js';

/** Statements kept per client before the cache starts again (a client preparing without end). */
const MAX_STATEMENTS = 256;

class StatementRoutes {
  session: RouteSession | null = null;
  provided: object | undefined = undefined;
  inTransaction = false;
  sessionShard: number | null = null;
  /** By shard: the answer route() gave for a value of that shard under the context above. */
  byShard: (ExecuteRoute | undefined)[] = [];

  constructor(readonly key: BoundKey) {}
}

export class BoundRoutes {
  private readonly statements = new Map<string, StatementRoutes | null>();
  /** Where keep() puts the answer of the route() that find() sent the caller to; null: nowhere. */
  private pending: StatementRoutes | null = null;
  private pendingShard = 0;

  constructor(
    private readonly table: RoutingTable,
    private readonly database: string,
    private readonly cache: PlanCache,
  ) {}

  /**
   * The answer kept for `sql` bound with these values in this context, or null: route it in full
   * and hand the answer to keep().
   */
  find(sql: string, bind: BindMessage, session: RouteSession, provided: object | undefined, inTransaction: boolean, sessionShard: number | null): ExecuteRoute | null {
    this.pending = null;
    let s = this.statements.get(sql);
    if (s === undefined) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear();
      const key = boundKeyOf(this.table, this.database, this.cache.analyzeCached(sql));
      s = key === null ? null : new StatementRoutes(key);
      this.statements.set(sql, s);
    }
    if (s === null) return null;
    const index = s.key.index;
    let value: Buffer | null | undefined;
    let format: number;
    if (bind instanceof BindFrame) {
      value = bind.parameter(index);
      if (value === null || value === undefined) return null;
      format = bind.parameterFormat(index);
    } else {
      value = bind.parameters[index];
      if (value === null || value === undefined) return null;
      const formats = bind.parameterFormats;
      format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[index] ?? 0);
    }
    const shard = s.key.shardOf(value, format);
    if (shard === null) return null;
    if (s.session !== session || s.provided !== provided || s.inTransaction !== inTransaction || s.sessionShard !== sessionShard) {
      s.session = session;
      s.provided = provided;
      s.inTransaction = inTransaction;
      s.sessionShard = sessionShard;
      s.byShard = [];
    }
    const kept = s.byShard[shard];
    if (kept !== undefined) return kept;
    this.pending = s;
    this.pendingShard = shard;
    return null;
  }

  /**
   * route()'s answer for the Bind find() last declined: kept when it is one shard's plain answer
   * (a merge plan, split texts or a refusal may word the values themselves). Returns `r`.
   */
  keep(r: ExecuteRoute): ExecuteRoute {
    const s = this.pending;
    if (s !== null) {
      this.pending = null;
      if (r.ok && r.shards.length === 1 && r.plan === null && r.texts === null) s.byShard[this.pendingShard] = r;
    }
    return r;
  }
}
