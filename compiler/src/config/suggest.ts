// "Did you mean ...?" for misspelled keys and enum values.

import { distance } from 'fastest-levenshtein';

/**
 * The closest candidate, if it is close enough to be a plausible typo: at most a third of the
 * word's length in edits (min 1, max 3; a swap of two adjacent letters is one edit), or the
 * same word up to case, `-`/`_` and word order
 * of underscore-separated parts (`pool_size_default` -> `default_pool_size`).
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const norm = normalize(word);
  const sorted = sortedParts(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    let score: number;
    const n = normalize(c);
    if (n === norm || sortedParts(c) === sorted) score = 0;
    else if (isTransposition(norm, n)) score = 1;
    else score = distance(norm, n);
    if (score < bestScore || (score === bestScore && best !== undefined && c < best)) {
      best = c;
      bestScore = score;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return best !== undefined && bestScore <= limit ? best : undefined;
}

/** Two adjacent letters swapped (`shpo` / `shop`): one typo, though Levenshtein counts two. */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/-/g, '_');
}

function sortedParts(s: string): string {
  return normalize(s).split('_').sort().join('_');
}
