// The one catalogue of config diagnostics. Codes are stable: tests, the CLI and users' CI scripts
// match on them, never on message text. Each entry says when it fires (`stage`), how bad it is
// and how its message is worded; `configDiagnostic()` is the only place messages are built.

import { ruleCodes, type RuleCode } from './rules/diagnostics.js';

export type Severity = 'error' | 'warning';

/**
 * io: the file could not be read at all (CLI exit 2). input: the bytes are not a TOML document.
 * schema: the document does not match the JSON Schema. semantic: cross-references and values that
 * only make sense together. compat: accepted for pgDog compatibility, but worth a warning.
 */
export type Stage = 'io' | 'input' | 'schema' | 'semantic' | 'compat';

export type ConfigFileKind = 'pgdog' | 'users';

/** One problem found in a config file. Line and column are 1-based; 0 means "the whole file". */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** RFC 6901 JSON pointer into the parsed document ('' = the document itself). */
  pointer: string;
  code: ConfigCode;
  message: string;
  hint?: string;
  severity: Severity;
}

interface CodeSpec<P> {
  stage: Stage;
  severity: Severity;
  /** One line for the documentation table. */
  summary: string;
  message: (params: P) => string;
}

function code<P>(stage: Stage, severity: Severity, summary: string, message: (params: P) => string): CodeSpec<P> {
  return { stage, severity, summary, message };
}

/** A query-rule diagnostic surfaced by config validation: severity and summary come from the
 *  rules catalogue (rules/diagnostics.ts), the message is the rule compiler's. */
function ruleCode(c: RuleCode): CodeSpec<{ message: string }> {
  return code('semantic', ruleCodes[c].severity, ruleCodes[c].summary, (p: { message: string }) => p.message);
}

type Named = { key: string };
/** Set by the loader from the finding's `related` pointer once positions are known. */
type Related = { relatedLine?: number };

function onLine(p: Related): string {
  return p.relatedLine ? ` on line ${p.relatedLine}` : '';
}

export const configCodes = {
  E_FILE_NOT_FOUND: code('io', 'error', 'The file does not exist.', (p: { path: string }) => `file not found: ${p.path}`),
  E_FILE_UNREADABLE: code('io', 'error', 'The path is a directory, or the file cannot be read.', (p: { path: string; reason: string }) => `cannot read ${p.path}: ${p.reason}`),
  E_FILE_TOO_LARGE: code('input', 'error', 'The file is larger than the 8 MiB limit.', (p: { size: number; limit: number }) => `file is ${p.size} bytes; config files are limited to ${p.limit} bytes`),
  E_BINARY: code('input', 'error', 'The file contains NUL bytes: it is binary, not TOML.', (_: object) => 'file contains NUL bytes; this is not a TOML text file'),
  E_NOT_UTF8: code('input', 'error', 'The file is not valid UTF-8 (TOML requires UTF-8).', (_: object) => 'invalid UTF-8 byte sequence; TOML files must be UTF-8'),
  E_EMPTY_FILE: code('input', 'error', 'pgdog.toml has no keys at all (empty, or only comments).', (_: object) => 'file is empty; at least one [[databases]] entry is needed'),
  E_TOML_SYNTAX: code('input', 'error', 'The TOML parser rejected the document.', (p: { detail: string }) => `TOML syntax error: ${p.detail}`),

  E_UNKNOWN_KEY: code('schema', 'error', 'A key that this section does not have (often a typo; see the hint).', (p: Named & { section: string }) => `unknown key \`${p.key}\` in ${p.section}`),
  E_TYPE: code('schema', 'error', 'A value of the wrong TOML type.', (p: Named & { expected: string; actual: string }) => `\`${p.key}\` must be ${p.expected}, got ${p.actual}`),
  E_ENUM: code('schema', 'error', 'A value that is not one of the allowed choices.', (p: Named & { allowed: string; actual: string }) => `\`${p.key}\` must be one of ${p.allowed}; got ${p.actual}`),
  E_REQUIRED: code('schema', 'error', 'A required key is missing.', (p: Named & { section: string }) => `missing required key \`${p.key}\` in ${p.section}`),
  E_RANGE: code('schema', 'error', 'A number outside its allowed range.', (p: Named & { bound: string; actual: string }) => `\`${p.key}\` must be ${p.bound}; got ${p.actual}`),
  E_LENGTH: code('schema', 'error', 'A string or list that is too short or too long.', (p: Named & { bound: string }) => `\`${p.key}\` must ${p.bound}`),
  E_PATTERN: code('schema', 'error', 'A string that does not have the required form.', (p: Named & { form: string; actual: string }) => `\`${p.key}\` must be ${p.form}; got ${p.actual}`),
  E_FORMAT: code('schema', 'error', 'A string that is not a valid value of its format (e.g. ipv4).', (p: Named & { format: string; actual: string }) => `\`${p.key}\` must be a valid ${p.format}; got ${p.actual}`),
  E_SCHEMA: code('schema', 'error', 'Any other schema violation.', (p: Named & { detail: string }) => `\`${p.key}\` ${p.detail}`),

  E_SERVERS_AND_DATABASES: code('semantic', 'error', 'Both the early `[[servers]]` form and `[[databases]]` are present.', (_: object) => '[[servers]] and [[databases]] are both present; use only [[databases]]'),
  E_DUPLICATE_HOST: code('semantic', 'error', 'Two entries point at the same server and database.', (p: Related & { database: string; target: string; other: string }) => `database \`${p.database}\`: ${p.target} is already configured${onLine(p)} as ${p.other}`),
  E_SHARD_GAP: code('semantic', 'error', 'Shard numbers of a database are not 0, 1, ... N-1.', (p: { database: string; shards: string; missing: string }) => `database \`${p.database}\` has shards ${p.shards}; shard numbers must be contiguous from 0 (missing ${p.missing})`),
  E_UNKNOWN_DATABASE: code('semantic', 'error', 'A reference to a database name that no `[[databases]]` entry defines.', (p: { database: string; where: string }) => `${p.where} refers to database \`${p.database}\`, which is not defined in [[databases]]`),
  E_NOT_SHARDED: code('semantic', 'error', 'Sharding config for a database that has a single shard (allowed with `general.dry_run`).', (p: { database: string; what: string }) => `${p.what} is configured for database \`${p.database}\`, which is not sharded (it has only shard 0)`),
  E_SHARD_OUT_OF_RANGE: code('semantic', 'error', 'A shard number that the database does not have.', (p: { database: string; shard: number; count: number }) => `shard ${p.shard} does not exist in database \`${p.database}\` (shards 0..${p.count - 1})`),
  E_DUPLICATE_TABLE: code('semantic', 'error', 'The same table is configured twice (or is both sharded and omnisharded).', (p: Related & { table: string; database: string; other: string }) => `table ${p.table} in database \`${p.database}\` is already configured${onLine(p)} as ${p.other}`),
  E_MAPPING_TYPE: code('semantic', 'error', "A mapping value whose type does not match the table's `data_type`.", (p: { dataType: string; expected: string; actual: string }) => `mapping value must be ${p.expected} for a ${p.dataType} column; got ${p.actual}`),
  E_RANGE_OVERLAP: code('semantic', 'error', 'Two range mappings of one table overlap.', (p: Related & { range: string; other: string }) => `range ${p.range} overlaps range ${p.other}${onLine(p)} of the same table`),
  E_EMPTY_RANGE: code('semantic', 'error', 'A range mapping whose start is not below its end.', (p: { range: string }) => `range ${p.range} is empty: start must be less than end`),
  E_DUPLICATE_VALUE: code('semantic', 'error', 'A list-mapping value listed twice for one table.', (p: Related & { value: string; shard: number }) => `value ${p.value} is already mapped to shard ${p.shard}${onLine(p)}`),
  E_DUPLICATE_DEFAULT: code('semantic', 'error', 'More than one default mapping (a mapping with only `shard`) for one table.', (p: Related) => `this table already has a default mapping${onLine(p)}`),
  E_DUPLICATE_USER: code('semantic', 'error', 'Two `[[users]]` entries with the same name and database.', (p: Related & { user: string; database: string }) => `user \`${p.user}\` for database \`${p.database}\` is already defined${onLine(p)}`),
  E_DUPLICATE_RULE: code('semantic', 'error', 'Two `[[query_rules]]` with the same name.', (p: Related & { name: string }) => `query rule \`${p.name}\` is already defined${onLine(p)}`),
  E_SERVER_AUTH_CONFLICT: code('semantic', 'error', 'A cloud/vault `server_auth` combined with passthrough auth or `tls_verify = "disabled"` (pgDog rejects these).', (p: { user: string; serverAuth: string; conflict: string }) => `user \`${p.user}\` uses server_auth = "${p.serverAuth}", which cannot be combined with ${p.conflict}`),

  E_RULE_EMPTY: ruleCode('E_RULE_EMPTY'),
  E_RULE_SYNTAX: ruleCode('E_RULE_SYNTAX'),
  E_RULE_UNTERMINATED_STRING: ruleCode('E_RULE_UNTERMINATED_STRING'),
  E_RULE_UNKNOWN_FLAG: ruleCode('E_RULE_UNKNOWN_FLAG'),
  E_RULE_UNKNOWN_FIELD: ruleCode('E_RULE_UNKNOWN_FIELD'),
  E_RULE_UNKNOWN_FUNCTION: ruleCode('E_RULE_UNKNOWN_FUNCTION'),
  E_RULE_MISSING_COMPARISON: ruleCode('E_RULE_MISSING_COMPARISON'),
  E_RULE_BAD_OPERATOR: ruleCode('E_RULE_BAD_OPERATOR'),
  E_RULE_BAD_REGEX: ruleCode('E_RULE_BAD_REGEX'),
  E_RULE_TOO_DEEP: ruleCode('E_RULE_TOO_DEEP'),
  E_RULE_BAD_SHARD: ruleCode('E_RULE_BAD_SHARD'),

  W_UNIMPLEMENTED: code('compat', 'warning', 'A pgDog key that is accepted but not implemented yet.', (p: Named & { reason: string }) => `\`${p.key}\` is accepted for pgDog compatibility but not implemented: ${p.reason}`),
  W_NO_DATABASES: code('semantic', 'warning', 'pgdog.toml defines no databases.', (_: object) => 'no [[databases]] are defined; clients will have nothing to connect to'),
  W_NO_USERS: code('semantic', 'warning', 'users.toml defines no users (and passthrough auth is off).', (_: object) => 'no [[users]] are defined and passthrough_auth is disabled; no client can log in'),
  W_USER_NO_DATABASE: code('semantic', 'warning', 'A user with no `database`, `databases` or `all_databases`.', (p: { user: string }) => `user \`${p.user}\` has no database, databases or all_databases; it cannot connect anywhere`),
  W_DATABASE_NO_USERS: code('semantic', 'warning', 'A database that no user can reach, so pgDog creates no pool for it.', (p: { database: string }) => `no user in users.toml has access to database \`${p.database}\`; no pool will be created for it`),
  W_SAME_SERVER_ROLES: code('semantic', 'warning', 'One server listed both as primary and as replica of a shard.', (p: Related & { database: string; target: string; role: string; other: string }) => `database \`${p.database}\`: ${p.target} is listed as ${p.role} and also${onLine(p)} as ${p.other}`),
  W_RULE_NEVER_MATCHES: ruleCode('W_RULE_NEVER_MATCHES'),
  W_RULE_SHADOWED: ruleCode('W_RULE_SHADOWED'),
  W_RULE_MESSAGE_IGNORED: ruleCode('W_RULE_MESSAGE_IGNORED'),
  W_NO_PASSWORD: code('semantic', 'warning', 'A user with no `password`, `password_hash` or `passwords` while auth_type needs one.', (p: { user: string; authType: string }) => `user \`${p.user}\` has no password, password_hash or passwords; it cannot log in with auth_type = "${p.authType}"`),
} as const;

export type ConfigCode = keyof typeof configCodes;
export type CodeParams<C extends ConfigCode> = Parameters<(typeof configCodes)[C]['message']>[0];

/** Where a diagnostic points. */
export interface DiagnosticSite {
  file: string;
  line: number;
  column: number;
  pointer: string;
}

export function configDiagnostic<C extends ConfigCode>(code: C, site: DiagnosticSite, params: CodeParams<C>, hint?: string): Diagnostic {
  const spec = configCodes[code] as CodeSpec<CodeParams<C>>;
  const d: Diagnostic = {
    file: site.file,
    line: site.line,
    column: site.column,
    pointer: site.pointer,
    code,
    message: spec.message(params),
    severity: spec.severity,
  };
  if (hint !== undefined) d.hint = hint;
  return d;
}

export function stageOf(code: ConfigCode): Stage {
  return configCodes[code].stage;
}

/** I/O problems are usage errors for the CLI (exit 2), unlike bad content (exit 1). */
export function isIoDiagnostic(d: Pick<Diagnostic, 'code'>): boolean {
  return stageOf(d.code) === 'io';
}
