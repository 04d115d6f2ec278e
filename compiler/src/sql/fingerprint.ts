// pg_query fingerprints: a stable hash of a statement's parse tree with constants, comments and
// whitespace ignored (the same value pganalyze and other pg_query tools compute), for rules that
// match `fingerprint = '...'`. Costs a parse, so the router asks for it only when such a rule runs.
import { loadedLibPgQuery } from './parser.js';

/** Hex fingerprint of `text`, or '' when it does not parse. The parser must be loaded. */
export function fingerprintSql(text: string): string {
  try {
    return loadedLibPgQuery().fingerprintSync(text);
  } catch {
    return '';
  }
}
