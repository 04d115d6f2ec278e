// Tokens of one statement with JS string offsets, and the top-level structure the rewrite needs:
// where each clause of the outermost SELECT starts and the comma-separated items in it. The parse
// tree says what the clauses contain; only the tokens say where they end, because libpg-query's
// wasm build has no deparser and nodes carry a start location but no length.
import { loadedLibPgQuery } from '../sql/parser.js';
import { byteToCharConverter } from '../sql/text-offsets.js';

export interface Token {
  /** Char (JS string) offsets in the statement text. */
  readonly start: number;
  readonly end: number;
  /** Lower-case keyword, or '' for identifiers, constants and operators. */
  readonly keyword: string;
  /** The source text of the token. */
  readonly text: string;
  /** Parenthesis / bracket depth before this token. */
  readonly depth: number;
}

export function statementTokens(sql: string): Token[] {
  const toChar = byteToCharConverter(sql);
  const raw = loadedLibPgQuery().scanSync(sql).tokens;
  const out: Token[] = [];
  let depth = 0;
  for (const t of raw) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    const start = toChar(t.start);
    const end = toChar(t.end);
    const text = sql.slice(start, end);
    const keyword = t.keywordKind !== 0 && t.tokenName !== 'IDENT' ? text.toLowerCase() : '';
    if (text === ')' || text === ']') depth--;
    out.push({ start, end, keyword, text, depth: Math.max(depth, 0) });
    if (text === '(' || text === '[') depth++;
  }
  return out;
}

export type ClauseName =
  | 'select' | 'into' | 'from' | 'where' | 'group' | 'having' | 'window' | 'order' | 'limit' | 'offset' | 'fetch' | 'for';

export interface Clause {
  readonly name: ClauseName;
  /** Token index of the clause keyword (`ORDER` of ORDER BY). */
  readonly first: number;
  /** Token index just past the clause (the next clause keyword, `;` or the end). */
  readonly end: number;
}

const CLAUSE_WORDS: ReadonlyMap<string, ClauseName> = new Map([
  ['into', 'into'], ['from', 'from'], ['where', 'where'], ['group', 'group'], ['having', 'having'],
  ['window', 'window'], ['order', 'order'], ['limit', 'limit'], ['offset', 'offset'], ['fetch', 'fetch'], ['for', 'for'],
]);

/**
 * The clauses of the outermost SELECT, in text order. `WITH ...` before it is skipped (its bodies
 * are parenthesized). Keywords that also occur inside expressions at depth 0 are told apart by
 * their neighbours: `IS [NOT] DISTINCT FROM` and `WITHIN GROUP (`.
 */
export function topLevelClauses(tokens: readonly Token[]): Clause[] {
  const starts: { name: ClauseName; first: number }[] = [];
  let seenSelect = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.depth !== 0 || t.keyword === '') continue;
    if (!seenSelect) {
      if (t.keyword === 'select') {
        seenSelect = true;
        starts.push({ name: 'select', first: i });
      }
      continue;
    }
    const name = CLAUSE_WORDS.get(t.keyword);
    if (name === undefined) continue;
    const prev = tokens[i - 1]?.keyword;
    if (name === 'from' && prev === 'distinct') continue;
    if (name === 'group' && prev === 'within') continue;
    // `FOR` only starts a locking clause when followed by UPDATE / SHARE / NO KEY / KEY SHARE.
    if (name === 'for' && !['update', 'share', 'no', 'key'].includes(tokens[i + 1]?.keyword ?? '')) continue;
    starts.push({ name, first: i });
  }
  let stop = tokens.length;
  for (let i = 0; i < tokens.length; i++) if (tokens[i]!.text === ';' && tokens[i]!.depth === 0) { stop = i; break; }
  return starts.map((s, k) => ({ name: s.name, first: s.first, end: k + 1 < starts.length ? starts[k + 1]!.first : stop }));
}

/** Token ranges [first, end) of the depth-0, comma-separated items in tokens [from, to). */
export function splitItems(tokens: readonly Token[], from: number, to: number): { first: number; end: number }[] {
  const items: { first: number; end: number }[] = [];
  let first = from;
  for (let i = from; i < to; i++) {
    if (tokens[i]!.depth === 0 && tokens[i]!.text === ',') {
      items.push({ first, end: i });
      first = i + 1;
    }
  }
  if (first < to) items.push({ first, end: to });
  return items;
}

/** Source text of tokens [first, end), comments and spacing between them kept. */
export function tokenText(sql: string, tokens: readonly Token[], first: number, end: number): string {
  if (end <= first) return '';
  return sql.slice(tokens[first]!.start, tokens[end - 1]!.end);
}
