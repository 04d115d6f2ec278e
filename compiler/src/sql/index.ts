// Public surface of the SQL analysis (re-exported by the package entry).
export type {
  StatementKind, TableName, LiteralType, LiteralValue, ParamValue, ParamArrayValue, KeyValue,
  KeyCandidate, KeyExpr, LockStrength, TransactionModes, TransactionAction, TransactionInfo,
  SetAction, RoutingParameter, SetInfo, InsertInfo, CopyOption, CopyInfo, StatementAnalysis,
  CommentHints, SqlParseError, QueryAnalysis,
} from './types.js';
export { loadSqlParser, isSqlParserLoaded, parseSql, type ParsedStatement, type ParseOutcome } from './parser.js';
export { analyze } from './analyze.js';
export { evalKeyExpr } from './key-expr.js';
export { scanHints } from './hints.js';
export { normalizeSql, type NormalizedSql } from './normalize.js';
export { PlanCache, type PlanCacheOptions, type PlanCacheStats } from './plan-cache.js';
export { fingerprintSql } from './fingerprint.js';
export { splitStatements, type ScriptStatement } from './split-statements.js';
