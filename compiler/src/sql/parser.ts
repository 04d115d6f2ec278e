// The one place that talks to libpg-query. It loads the wasm module once, then parses
// synchronously, so the proxy's hot path never awaits a promise per query. The package itself is
// imported on first load, not with this module: `pgdog validate` imports the compiler's entry
// point and never parses SQL.
import type { Node } from 'libpg-query';
import type { SqlParseError } from './types.js';
import { byteToCharConverter, codePointToCharIndex } from './text-offsets.js';

export interface ParsedStatement {
  /** libpg-query AST of the statement, e.g. `{ SelectStmt: {...} }`. */
  node: Node;
  /** Char span of the statement in the text (without the `;`). */
  start: number;
  end: number;
}

export type ParseOutcome =
  | { ok: true; statements: ParsedStatement[] }
  | { ok: false; error: SqlParseError };

type LibPgQuery = typeof import('libpg-query');

let loading: Promise<void> | null = null;
let loaded = false;
let lib: LibPgQuery | null = null;

/** Loads the parser (100-300 ms cold). Safe to call repeatedly; later calls share the first load. */
export function loadSqlParser(): Promise<void> {
  loading ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    lib = m;
    loaded = true;
  });
  return loading;
}

/** The loaded library (for the few other entry points we use, e.g. fingerprints). */
export function loadedLibPgQuery(): LibPgQuery {
  if (lib === null) throw new Error('SQL parser not loaded: await loadSqlParser() first');
  return lib;
}

export function isSqlParserLoaded(): boolean {
  return loaded;
}

export function parseSql(text: string): ParseOutcome {
  if (lib === null) throw new Error('SQL parser not loaded: await loadSqlParser() first');
  // libpg-query refuses "" although PostgreSQL answers it with EmptyQueryResponse.
  if (text.length === 0) return { ok: true, statements: [] };
  let result;
  try {
    result = lib.parseSync(text);
  } catch (err) {
    return { ok: false, error: toParseError(lib, err, text) };
  }
  const raw = result.stmts ?? [];
  const toChar = byteToCharConverter(text);
  const statements: ParsedStatement[] = [];
  for (const stmt of raw) {
    if (stmt.stmt === undefined) continue;
    // Zero values are dropped from the JSON: a missing location is 0, a missing length means
    // "to the end of the text".
    const startByte = stmt.stmt_location ?? 0;
    const start = toChar(startByte);
    const end = stmt.stmt_len ? toChar(startByte + stmt.stmt_len) : text.length;
    statements.push({ node: stmt.stmt, start, end });
  }
  return { ok: true, statements };
}

function toParseError(m: LibPgQuery, err: unknown, text: string): SqlParseError {
  if (m.hasSqlDetails(err) && err.sqlDetails) {
    const { message, cursorPosition } = err.sqlDetails;
    // cursorPosition counts code points from 0; PostgreSQL reports 0 when it has no position
    // (e.g. encoding errors), which still points somewhere sensible.
    const position = typeof cursorPosition === 'number' && cursorPosition >= 0
      ? codePointToCharIndex(text, cursorPosition)
      : null;
    return { message, position };
  }
  return { message: err instanceof Error ? err.message : String(err), position: null };
}
