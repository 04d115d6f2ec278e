// route()'s answers kept per key shard. A sharded client sends the same few statements over and
// over with other key values: the same named statement with other Bind values, or (simple
// protocol) texts of one cached shape with other literals. For most of them (`... WHERE key =
// $1`, `... WHERE key = 42`) the compiler can say that route() depends on those values only
// through the shard the one key maps to (boundKeyOf, literalKeyOf). So the first statement of
// each shard is routed in full and its answer kept; later ones map their key to a shard and take
// the kept answer. Everything else an answer depends on is compared before a kept one is used:
// the routing session (hints, SET, transaction state), the column orders provided for INSERTs,
// and (extended protocol) where a session change may run.

import { boundKeyOf, literalKeyOf, type BoundKey, type LiteralKey, type PlanCache, type QueryAnalysis, type RouteSession, type RoutingTable } from '@pgdog/compiler';
import { BindFrame, type BindMessage } from '../protocol/frontend/bind.js';
import type { ExecuteRoute } from './extended-batch.js';
import type { RouteDecision } from './query-router.js';

/** Statements (or shapes) kept per client before the cache starts again. */
const MAX_KEPT = 256;

/** One statement's (or shape's) answers by shard, for the context they were given in. */
class ShardAnswers<K, T> {
  session: RouteSession | null = null;
  provided: object | undefined = undefined;
  inTransaction = false;
  sessionShard: number | null = null;
  byShard: (T | undefined)[] = [];

  constructor(readonly key: K) {}

  /** The answer kept for `shard`, or undefined; answers of another context are forgotten first. */
  get(shard: number, session: RouteSession, provided: object | undefined, inTransaction: boolean, sessionShard: number | null): T | undefined {
    if (this.session !== session || this.provided !== provided || this.inTransaction !== inTransaction || this.sessionShard !== sessionShard) {
      this.session = session;
      this.provided = provided;
      this.inTransaction = inTransaction;
      this.sessionShard = sessionShard;
      this.byShard = [];
    }
    return this.byShard[shard];
  }
}

/** The find() / keep() protocol both kinds share. */
abstract class KeptAnswers<K, T> {
  /** Where keep() puts the answer of the routing that find() sent the caller to; null: nowhere. */
  private pending: ShardAnswers<K, T> | null = null;
  private pendingShard = 0;

  protected forgetPending(): void {
    this.pending = null;
  }

  /** The answer kept for `shard`, or null, and then the next keep() goes there. */
  protected lookUp(s: ShardAnswers<K, T>, shard: number, session: RouteSession, provided: object | undefined, inTransaction: boolean, sessionShard: number | null): T | null {
    const kept = s.get(shard, session, provided, inTransaction, sessionShard);
    if (kept !== undefined) return kept;
    this.pending = s;
    this.pendingShard = shard;
    return null;
  }

  /** Keeps `answer` where lookUp() last found nothing, when `keepable`; returns `answer`. */
  protected put(answer: T, keepable: boolean): T {
    const s = this.pending;
    if (s !== null) {
      this.pending = null;
      if (keepable) s.byShard[this.pendingShard] = answer;
    }
    return answer;
  }
}

/** Extended protocol: Execute routes by statement text and Bind values. */
export class BoundRoutes extends KeptAnswers<BoundKey, ExecuteRoute> {
  private readonly statements = new Map<string, ShardAnswers<BoundKey, ExecuteRoute> | null>();

  constructor(
    private readonly table: RoutingTable,
    private readonly database: string,
    private readonly cache: PlanCache,
  ) {
    super();
  }

  /**
   * The answer kept for `sql` bound with these values in this context, or null: route it in full
   * and hand the answer to keep().
   */
  find(sql: string, bind: BindMessage, session: RouteSession, provided: object | undefined, inTransaction: boolean, sessionShard: number | null): ExecuteRoute | null {
    this.forgetPending();
    // Batches that take the kept answers come through direct-batch.ts, which reads Binds as
    // frames; a Bind decoded in full (the planner's) is routed in full.
    if (!(bind instanceof BindFrame)) return null;
    let s = this.statements.get(sql);
    if (s === undefined) {
      if (this.statements.size >= MAX_KEPT) this.statements.clear();
      const key = boundKeyOf(this.table, this.database, this.cache.analyzeCached(sql));
      s = key === null ? null : new ShardAnswers(key);
      this.statements.set(sql, s);
    }
    if (s === null) return null;
    const index = s.key.index;
    const value = bind.parameter(index);
    if (value === null || value === undefined) return null;
    const format = bind.parameterFormat(index);
    const shard = s.key.shardOf(value, format);
    return shard === null ? null : this.lookUp(s, shard, session, provided, inTransaction, sessionShard);
  }

  /**
   * route()'s answer for the Bind find() last declined: kept when it is one shard's plain answer
   * (a merge plan, split texts or a refusal may word the values themselves). Returns `r`.
   */
  keep(r: ExecuteRoute): ExecuteRoute {
    return this.put(r, r.ok && r.shards.length === 1 && r.plan === null && r.texts === null);
  }
}

/** Simple protocol: Query decisions by cached shape (PlanCache.answeredShape) and key literal. */
export class LiteralRoutes extends KeptAnswers<LiteralKey, RouteDecision> {
  private readonly shapes = new Map<object, ShardAnswers<LiteralKey, RouteDecision> | null>();

  constructor(
    private readonly table: RoutingTable,
    private readonly database: string,
  ) {
    super();
  }

  /** The decision kept for `analysis` (of cached shape `shape`) in this session, or null: decide, then keep(). */
  find(shape: object, analysis: QueryAnalysis, session: RouteSession, provided: object | undefined): RouteDecision | null {
    this.forgetPending();
    let s = this.shapes.get(shape);
    if (s === undefined) {
      if (this.shapes.size >= MAX_KEPT) this.shapes.clear();
      const key = literalKeyOf(this.table, this.database, analysis);
      s = key === null ? null : new ShardAnswers(key);
      this.shapes.set(shape, s);
    }
    if (s === null) return null;
    const shard = s.key.shardOf(analysis);
    return shard === null ? null : this.lookUp(s, shard, session, provided, false, null);
  }

  /** The decision for the statement find() last declined: kept when it runs on one target as sent. */
  keep(d: RouteDecision): RouteDecision {
    return this.put(d, d.kind === 'run' && d.multi === null);
  }
}
