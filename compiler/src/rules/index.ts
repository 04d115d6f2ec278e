// Public surface of the query-rule language.

export type {
  AndExpr, CallsExpr, CompareExpr, CompareOp, FlagExpr, NotExpr, OrExpr, RegexExpr, RuleExpr, RuleFacts, RuleField, RuleFlag,
  RuleInput, RuleRoute, ScalarField, SetField, SourceSpan, StatementKind,
} from './ast.js';
export { ruleCodes, expressionPosition, type RuleCode, type RuleDiagnostic, type RuleKey, type RuleSeverity, type ExpressionProblem } from './diagnostics.js';
export { parseRuleExpression, type ParsedExpression } from './expression.js';
export { compileRules, type CompiledRule, type CompileRulesOptions, type CompileRulesResult } from './compile.js';
export { matchRules, matchBlockRule, matchRouteRule, type RuleMatch } from './match.js';
export { buildMatcher, type RuleMatcher } from './matcher.js';
export { analyzeRules, type AnalyzableRule, type AnalyzeOptions, type AnalysisResult } from './analyze.js';
export { formatRuleExpr } from './format.js';
export { formatRoute, parseRouteTarget, defaultBlockMessage } from './route-target.js';
export { serializeRules, loadRules, RuleTableError, type StoredRule } from './serialize.js';
export { decodeTomlString, tomlStringKind, tomlValuePosition, type DecodedTomlString, type TomlStringKind } from './toml-position.js';
export { RULE_FLAGS, RULE_FIELDS } from './vocabulary.js';
