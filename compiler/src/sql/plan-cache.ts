// Query-text plan cache: simple-protocol traffic repeats a few shapes with different literals,
// so analyses are cached by the normalized text and re-bound to each query's literals. Bounded
// by entry count (`query_cache_limit`), least recently used out first.
import type { QueryAnalysis } from './types.js';
import { analyze } from './analyze.js';
import { newLiteralSpans } from './literal-spans.js';
import { shapeKey } from './normalize.js';
import { bindTemplate, buildTemplate, type PlanTemplate } from './plan-template.js';
import { matchSkeleton, skeletonOf, type Skeleton } from './shape-skeleton.js';

export interface PlanCacheOptions {
  /** Maximum number of cached shapes (pgDog's `query_cache_limit`); 0 disables caching. */
  limit: number;
  /** Longer texts are analyzed without the cache (huge multi-row INSERTs rarely repeat and
   *  would pin a lot of memory). Default 65536 chars. */
  maxQueryLength?: number;
}

export interface PlanCacheStats {
  /** Served from the cache without parsing. */
  hits: number;
  /** Parsed (no entry, or an entry whose literals did not re-bind). */
  misses: number;
  /** Misses that could not be cached: parse errors, texts the normalizer declines, analyses
   *  that do not re-bind faithfully, oversized texts. */
  uncacheable: number;
  evictions: number;
  size: number;
  limit: number;
}

interface Entry {
  template: PlanTemplate;
  /** For texts of this shape that follow one another (see shape-skeleton.ts). */
  skeleton: Skeleton | null;
  /** Value of `insertions` when the entry was last (re)inserted. */
  stamp: number;
}

export class PlanCache {
  private readonly entries = new Map<string, Entry>();
  /** Literal tokens of the text being looked up (valid until the next call). */
  private readonly spans = newLiteralSpans();
  /** Map.set calls so far: a clock for how far an entry has drifted toward eviction. */
  private insertions = 0;
  private limit: number;
  private readonly maxQueryLength: number;
  private hits = 0;
  private misses = 0;
  private uncacheable = 0;
  private evictions = 0;
  /**
   * The last text served from an entry, and what it got. The serving path often asks twice in a
   * row for the same text (a Query is routed, then checked for BEGIN; a Parse is noted, then
   * routed at Execute), and comparing two strings is cheaper than scanning one. Same answer and
   * same bookkeeping as a hit on `lastEntry`. `lastEntry` is also the shape a new text is
   * tried against first (null once it leaves the cache).
   */
  private lastText: string | null = null;
  private lastKey = '';
  private lastEntry: Entry | null = null;
  private lastAnalysis: QueryAnalysis | null = null;
  /** The template the last answer was bound from (see answeredShape); null: a fresh analysis. */
  private answered: PlanTemplate | null = null;

  constructor(options: PlanCacheOptions) {
    this.limit = Math.max(0, Math.floor(options.limit));
    this.maxQueryLength = options.maxQueryLength ?? 65536;
  }

  /** Same result as `analyze(text)`. Results may share structure with the cache: treat them
   *  as read-only (the shared parts are frozen). */
  analyzeCached(text: string): QueryAnalysis {
    if (text === this.lastText) {
      this.hits++;
      this.touch(this.lastKey, this.lastEntry as Entry);
      this.answered = (this.lastEntry as Entry).template;
      return this.lastAnalysis as QueryAnalysis;
    }
    this.lastText = null;
    this.answered = null;
    let key: string | null = null;
    let entry: Entry | undefined;
    if (this.limit > 0 && text.length <= this.maxQueryLength) {
      const last = this.lastEntry;
      if (last !== null && last.skeleton !== null && matchSkeleton(last.skeleton, text, this.spans)) {
        key = this.lastKey;
        entry = last;
      } else {
        key = shapeKey(text, this.spans);
        if (key !== null) entry = this.entries.get(key);
      }
    }
    if (key === null) {
      this.misses++;
      this.uncacheable++;
      return analyze(text);
    }
    if (entry !== undefined) {
      const bound = bindTemplate(entry.template, this.spans, text);
      if (bound !== null) {
        this.hits++;
        this.touch(key, entry);
        this.remember(text, key, entry, bound);
        this.answered = entry.template;
        return bound;
      }
    }
    this.misses++;
    const analysis = analyze(text);
    const template = buildTemplate(analysis, this.spans, text);
    if (template === null) {
      this.uncacheable++;
      return analysis;
    }
    const added: Entry = { template, skeleton: skeletonOf(text, key, this.spans), stamp: ++this.insertions };
    this.entries.set(key, added);
    this.evictOverflow();
    if (this.entries.get(key) === added) this.remember(text, key, added, template.analysis);
    this.answered = template;
    return template.analysis;
  }

  /**
   * What stands for the shape of the text the last analyzeCached() call answered: two answers
   * with the same object are analyses of texts that differ only in literal values (key values
   * and SET values, plan-template.ts). Null when that answer was a fresh analysis that was not
   * cached. Valid until the next call; an opaque identity, not to be inspected.
   */
  answeredShape(): object | null {
    return this.answered;
  }

  stats(): PlanCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      uncacheable: this.uncacheable,
      evictions: this.evictions,
      size: this.entries.size,
      limit: this.limit,
    };
  }

  /** Changes the bound (config reload); shrinking evicts the least recently used entries. */
  setLimit(limit: number): void {
    this.lastText = null;
    this.lastEntry = null;
    this.limit = Math.max(0, Math.floor(limit));
    this.evictOverflow();
  }

  /** Drops every entry (admin `RESET QUERY_CACHE`); counters are kept. */
  clear(): void {
    this.lastText = null;
    this.lastEntry = null;
    this.entries.clear();
  }

  private remember(text: string, key: string, entry: Entry, analysis: QueryAnalysis): void {
    this.lastText = text;
    this.lastKey = key;
    this.lastEntry = entry;
    this.lastAnalysis = analysis;
  }

  /**
   * Marks an entry recently used, approximately: Map order is insertion order and eviction
   * takes the oldest, so re-inserting moves an entry to the young end, but that costs a delete
   * and a set. An entry placed fewer than limit/2 insertions ago is still in the younger half
   * of the order and is left where it is; only an entry that has drifted into the older half is
   * moved. A steady working set therefore costs no map writes at all.
   */
  private touch(key: string, entry: Entry): void {
    if (this.insertions - entry.stamp < this.limit >> 1) return;
    this.entries.delete(key);
    entry.stamp = ++this.insertions;
    this.entries.set(key, entry);
  }

  private evictOverflow(): void {
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (oldest.done) return;
      if (this.entries.get(oldest.value) === this.lastEntry) {
        this.lastEntry = null;
        this.lastText = null;
      }
      this.entries.delete(oldest.value);
      this.evictions++;
    }
  }
}
