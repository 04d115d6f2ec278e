// Entry point of the SQL analysis: text in, plain data out. Pure and deterministic; the parser
// must have been loaded (`await loadSqlParser()`).
import type { QueryAnalysis, StatementAnalysis } from './types.js';
import { parseSql } from './parser.js';
import { scanHints } from './hints.js';
import { byteToCharConverter } from './text-offsets.js';
import { analyzeStatement } from './analyze-statement.js';

export function analyze(text: string): QueryAnalysis {
  const hints = scanHints(text);
  const parsed = parseSql(text);
  if (!parsed.ok) return { ok: false, error: parsed.error, hints };
  const toChar = byteToCharConverter(text);
  const statements: StatementAnalysis[] = [];
  for (const s of parsed.statements) statements.push(analyzeStatement(s.node, text, toChar));
  return { ok: true, statements, hints };
}
