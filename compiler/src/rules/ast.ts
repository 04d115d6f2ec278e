// Types of the query-rule language after parsing and name resolution. Types only: the values that
// enumerate flags and fields live in vocabulary.ts, so this file can be imported anywhere for free.

/** Statement kinds the SQL analyzer reports (SPEC §2 route object `statement`). */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'copy' | 'ddl' | 'set' | 'transaction' | 'other';

/** Flags: bare words that are true or false for a statement. */
export type RuleFlag = 'select' | 'insert' | 'update' | 'delete' | 'ddl' | 'copy' | 'write' | 'read' | 'locking' | 'in_transaction';

/** Fields with one value per statement. */
export type ScalarField = 'user' | 'database' | 'application_name' | 'query' | 'fingerprint';
/** Fields with a set of values per statement (a comparison holds when ANY element satisfies it). */
export type SetField = 'table';
export type RuleField = ScalarField | SetField;

/** Half-open range of UTF-16 offsets into the expression text. Never serialized. */
export interface SourceSpan {
  offset: number;
  end: number;
}

/**
 * `=`, `!=` (also written `<>`), `in (...)`, `not in (...)`. `!=` is exactly `not (=)`, which for
 * `table` means "no table of the statement is ...".
 */
export type CompareOp = '=' | '!=' | 'in' | 'not in';

export type RuleExpr = OrExpr | AndExpr | NotExpr | FlagExpr | CompareExpr | RegexExpr | CallsExpr;

export interface OrExpr {
  type: 'or';
  /** Two or more; never directly another `or` (nested ones are flattened). */
  items: RuleExpr[];
  span?: SourceSpan;
}

export interface AndExpr {
  type: 'and';
  /** Two or more; never directly another `and`. */
  items: RuleExpr[];
  span?: SourceSpan;
}

export interface NotExpr {
  type: 'not';
  item: RuleExpr;
  span?: SourceSpan;
}

export interface FlagExpr {
  type: 'flag';
  flag: RuleFlag;
  span?: SourceSpan;
}

export interface CompareExpr {
  type: 'compare';
  field: RuleField;
  op: CompareOp;
  /** One value for `=`/`!=`, one or more for `in`/`not in`. */
  values: string[];
  span?: SourceSpan;
}

/** `~` / `!~`, and `~*` / `!~*` for case-insensitive: unanchored search, `.` matches newlines. */
export interface RegexExpr {
  type: 'regex';
  field: RuleField;
  pattern: string;
  ignoreCase: boolean;
  negated: boolean;
  span?: SourceSpan;
}

/** `calls(name, ...)`: the statement calls at least one of the functions (names lowercased). */
export interface CallsExpr {
  type: 'calls';
  names: string[];
  span?: SourceSpan;
}

/**
 * What a rule is matched against, produced by the SQL analyzer plus the session.
 * `tables` and `calls` hold names as `name` or `schema.name`, unquoted (see names.ts for how
 * qualified and unqualified names match).
 */
export interface RuleFacts {
  kind: StatementKind;
  write: boolean;
  locking: boolean;
  inTransaction: boolean;
  tables: readonly string[];
  /** Function names, lowercase. */
  calls: readonly string[];
  user: string;
  database: string;
  applicationName: string;
  query: string;
  fingerprint: string;
}

export type RuleRoute =
  | { kind: 'primary' }
  | { kind: 'replica' }
  | { kind: 'shard'; shard: number }
  | { kind: 'all_shards' }
  | { kind: 'block'; message: string };

/** One `[[query_rules]]` entry as the config loader hands it over (TOML keys, already typed). */
export interface RuleInput {
  name: string;
  database?: string;
  user?: string;
  match: string;
  route: string;
  message?: string;
}
