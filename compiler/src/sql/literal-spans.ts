// Where the literal tokens of a query text are, as the normalizer reports them to the plan cache.
import type { LiteralKind } from './literal-decode.js';

/** Literal tokens found by `shapeKey` (normalize.ts), in reusable buffers (the plan cache scans
 *  every query; arrays grown per call would cost more than the scan). `count` entries are valid;
 *  `before` is as in NormalizedSql. */
export interface LiteralSpans {
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  before: Int32Array;
  kinds: Uint8Array;
}

export function newLiteralSpans(capacity = 16): LiteralSpans {
  return { count: 0, starts: new Int32Array(capacity), ends: new Int32Array(capacity), before: new Int32Array(capacity), kinds: new Uint8Array(capacity) };
}

function grow(s: LiteralSpans): void {
  const n = s.starts.length * 2;
  const starts = new Int32Array(n);
  starts.set(s.starts);
  const ends = new Int32Array(n);
  ends.set(s.ends);
  const before = new Int32Array(n);
  before.set(s.before);
  const kinds = new Uint8Array(n);
  kinds.set(s.kinds);
  s.starts = starts;
  s.ends = ends;
  s.before = before;
  s.kinds = kinds;
}

export function pushLiteral(s: LiteralSpans, start: number, end: number, kind: LiteralKind, before: number): void {
  if (s.count === s.starts.length) grow(s);
  const k = s.count++;
  s.starts[k] = start;
  s.ends[k] = end;
  s.kinds[k] = kind;
  s.before[k] = before;
}
