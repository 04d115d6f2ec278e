// The plan cache's shortcut for a text that repeats a known shape with other literal values: it
// is compared with a text of that shape outside the literals, instead of being scanned into a
// key and hashed. A match gives exactly the key and the literal spans shapeKey would give.
//
// Only shapes whose literals are plain decimal integers and plain '...' strings take it, and
// none that mention U& (UESCAPE reads the whole text). Everything between literals must be the
// same chars, so whitespace, comments and hints are the same; each literal of the new text is
// re-scanned as shapeKey scans one of its kind and must keep that kind (an integer that no longer
// fits int32 is another key). Anything else is no match, and shapeKey decides.
import { LiteralKind } from './literal-decode.js';
import { pushLiteral, type LiteralSpans } from './literal-spans.js';
import { Ch, isDigit, isIdentCont, quotedEnd } from './sql-scan.js';

export interface Skeleton {
  /** The text between literals: `count + 1` pieces. */
  readonly gaps: readonly string[];
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly kinds: Uint8Array;
  readonly before: Int32Array;
}

// String.prototype.isWellFormed (Node 20) is not in our TS lib (ES2023).
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** The skeleton of `text`, whose shapeKey is `key` and literal spans `spans`; null when its
 *  literals are not all of the plain kinds. */
export function skeletonOf(text: string, key: string, spans: LiteralSpans): Skeleton | null {
  if (/u&/i.test(key)) return null;
  const n = spans.count;
  for (let k = 0; k < n; k++) {
    const kind = spans.kinds[k];
    if (kind === LiteralKind.String) continue;
    if (kind !== LiteralKind.Int && kind !== LiteralKind.BigInt) return null;
    for (let i = spans.starts[k]; i < spans.ends[k]; i++) if (!isDigit(text.charCodeAt(i))) return null;
  }
  const gaps: string[] = [];
  for (let k = 0, p = 0; k <= n; k++) {
    const end = k < n ? spans.starts[k] : text.length;
    gaps.push(text.slice(p, end));
    p = k < n ? spans.ends[k] : end;
  }
  return {
    gaps,
    count: n,
    starts: spans.starts.slice(0, n),
    ends: spans.ends.slice(0, n),
    kinds: spans.kinds.slice(0, n),
    before: spans.before.slice(0, n),
  };
}

/** text[at, at + gap.length) === gap (a loop: faster than startsWith with a position here). */
function startsAt(text: string, at: number, gap: string): boolean {
  const n = gap.length;
  if (at + n > text.length) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(at + i) !== gap.charCodeAt(i)) return false;
  return true;
}

/** Whether decimal digits text[start, end) fit int32 (shapeKey's ICONST / bigint split). */
function digitsFitInt32(text: string, start: number, end: number): boolean {
  return end - start <= 9 || BigInt(text.slice(start, end)) <= 2147483647n;
}

/** Whether `text` has the skeleton's shape; if so its literal tokens are in `spans`, as
 *  shapeKey(text, spans) would leave them. */
export function matchSkeleton(s: Skeleton, text: string, spans: LiteralSpans): boolean {
  if (text.includes('\0') || (isWellFormed !== undefined && !isWellFormed.call(text))) return false;
  spans.count = 0;
  let q = 0; // in text: end of the last literal
  let lastEnd = -1; // in text: end of the last literal
  for (let k = 0; k < s.count; k++) {
    const start = s.starts[k];
    const gap = s.gaps[k];
    if (!startsAt(text, q, gap)) return false;
    const at = q + gap.length;
    let end: number;
    const kind = s.kinds[k];
    if (kind === LiteralKind.String) {
      if (text.charCodeAt(at) !== Ch.Quote) return false;
      end = quotedEnd(text, at, Ch.Quote);
      if (end < 0) return false;
    } else {
      end = at;
      while (isDigit(text.charCodeAt(end))) end++;
      const after = text.charCodeAt(end);
      // A `.`, an exponent or trailing letters make another kind of token (or a declined one).
      if (end === at || isIdentCont(after) || after === Ch.Dot) return false;
      if ((digitsFitInt32(text, at, end) ? LiteralKind.Int : LiteralKind.BigInt) !== kind) return false;
    }
    // The last significant char before the literal: in the gap (moved as the gap moved), or the
    // last char of the literal before it.
    const b = s.before[k];
    let before: number;
    if (k > 0 && b === s.ends[k - 1] - 1) before = lastEnd - 1;
    else if (k > 0 && b < s.ends[k - 1]) return false;
    else before = b < 0 ? -1 : b + (at - start);
    pushLiteral(spans, at, end, kind as LiteralKind, before);
    q = end;
    lastEnd = end;
  }
  const rest = s.gaps[s.count];
  return text.length - q === rest.length && startsAt(text, q, rest);
}
