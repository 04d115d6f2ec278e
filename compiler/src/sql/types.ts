// Result types of the SQL analysis. Everything here is plain JSON-serializable data: the router,
// `pgdog route --json` and the plan cache all pass these objects around unchanged.
//
// Shapes are fixed: optional facts are `null`, never a missing property, so cached and uncached
// results compare equal with deepStrictEqual and V8 keeps one hidden class per type.

export type StatementKind =
  | 'select' | 'insert' | 'update' | 'delete' | 'copy' | 'ddl' | 'set' | 'transaction' | 'other';

/** A table as written in the query (schema only when the query wrote one). Identifiers are as
 *  PostgreSQL sees them: unquoted names folded to lower case, quoted names verbatim. */
export interface TableName {
  schema: string | null;
  name: string;
}

/** `int`: fits in a bigint (canonical decimal text); `numeric`: any other number (decimal point,
 *  exponent, or an integer beyond the int64 range); `bitstring`: B'..' / X'..' as `b101` / `x1f`. */
export type LiteralType = 'int' | 'numeric' | 'string' | 'bool' | 'bitstring';

export interface LiteralValue {
  kind: 'literal';
  type: LiteralType;
  /** Strings decoded (escapes applied), integers canonical (`0x1F` -> `31`, `-0` -> `0`). */
  text: string;
  /** Char index (JS string index) in the query text of the literal token, or of the `-`/`+`
   *  sign folded into it. `null` when the value came from a keyword or identifier (`true`,
   *  `SET x TO on`). */
  offset: number | null;
}

export interface ParamValue {
  kind: 'param';
  /** 1-based bind parameter number (`$1` -> 1). */
  index: number;
}

/** `col = ANY($1)`: the parameter is an array of keys; the router must decode the array. */
export interface ParamArrayValue {
  kind: 'param_array';
  index: number;
}

export type KeyValue = LiteralValue | ParamValue | ParamArrayValue;

/** One `column = value` fact. The analysis reports a candidate for every column it sees compared
 *  with a constant; the router keeps those naming a configured sharded column. */
export interface KeyCandidate {
  /** The real table the column belongs to; `null` when it cannot be told without the schema
   *  (unqualified column with several tables in scope, or a column of a subquery / CTE). */
  table: TableName | null;
  /** `null` only for INSERT without a column list (see `position`). */
  column: string | null;
  value: KeyValue;
  /** Outermost cast on the value, e.g. `uuid`, `int8`, `int4[]` (pg_catalog dropped). */
  cast: string | null;
  /** INSERT ... VALUES: 0-based row; otherwise null. */
  row: number | null;
  /** INSERT ... VALUES: 0-based position in the row (and in the column list); otherwise null. */
  position: number | null;
}

/** Where the statement's rows can be, as a formula over `keys` (indexes into
 *  `StatementAnalysis.keys`). `all` means "no restriction found". Evaluate with `evalKeyExpr`. */
export type KeyExpr =
  | { op: 'key'; key: number }
  | { op: 'and'; args: KeyExpr[] }
  | { op: 'or'; args: KeyExpr[] }
  | { op: 'all' };

export type LockStrength = 'update' | 'no_key_update' | 'share' | 'key_share';

export interface TransactionModes {
  /** `READ ONLY` -> true, `READ WRITE` -> false, unspecified -> null. */
  readOnly: boolean | null;
  /** e.g. `serializable`, `repeatable read`, `read committed`. */
  isolation: string | null;
  deferrable: boolean | null;
}

export type TransactionAction =
  | 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback_to'
  | 'prepare' | 'commit_prepared' | 'rollback_prepared';

export interface TransactionInfo {
  /** BEGIN and START TRANSACTION are both `begin`; END is `commit`; ABORT is `rollback`. */
  action: TransactionAction;
  modes: TransactionModes;
  /** COMMIT / ROLLBACK AND CHAIN. */
  chain: boolean;
  savepoint: string | null;
  /** PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED identifier. */
  gid: string | null;
}

export type SetAction =
  | 'set' | 'default' | 'current' | 'reset' | 'reset_all' | 'transaction' | 'session_characteristics';

export type RoutingParameter = 'shard' | 'sharding_key' | 'role';

export interface SetInfo {
  action: SetAction;
  /** Parameter name, lower case (`pgdog.shard`, `search_path`, `timezone` for SET TIME ZONE);
   *  null for RESET ALL and SET TRANSACTION / SESSION CHARACTERISTICS. */
  name: string | null;
  /** SET values in order. Identifiers and keywords (`SET x TO on`) are string values with
   *  `offset: null`. */
  values: LiteralValue[];
  /** SET LOCAL. */
  local: boolean;
  /** `pgdog.shard` / `pgdog.sharding_key` / `pgdog.role`: a routing hint. */
  hint: RoutingParameter | null;
  /** SET TRANSACTION / SET SESSION CHARACTERISTICS AS TRANSACTION modes. */
  modes: TransactionModes | null;
}

export interface InsertInfo {
  table: TableName;
  /** Column list as written; null when omitted (candidates then have `column: null`). */
  columns: string[] | null;
  /** Number of VALUES rows (0 for INSERT ... SELECT and DEFAULT VALUES). */
  rows: number;
  /** INSERT ... SELECT (no key routing possible). */
  select: boolean;
  onConflict: 'nothing' | 'update' | null;
}

export interface CopyOption {
  name: string;
  /** Option argument as text (`csv`, `;`, `true`); null when given without an argument. */
  value: string | null;
}

export interface CopyInfo {
  /** Null for COPY (query) TO. */
  table: TableName | null;
  /** Column list in order: the runtime splits rows by these positions. Null when omitted. */
  columns: string[] | null;
  direction: 'from' | 'to';
  /** STDIN / STDOUT (false: server-side file or PROGRAM). */
  stdio: boolean;
  query: boolean;
  format: 'text' | 'csv' | 'binary';
  delimiter: string | null;
  header: boolean;
  quote: string | null;
  escape: string | null;
  null: string | null;
  options: CopyOption[];
}

export interface StatementAnalysis {
  kind: StatementKind;
  /** libpg-query node name of the statement (`SelectStmt`, `DiscardStmt`, `ExplainStmt`...). */
  node: string;
  /** EXPLAIN <statement>: every other field describes the explained statement. */
  explain: boolean;
  /** Must run on a primary. */
  write: boolean;
  /** Strongest FOR UPDATE / SHARE ... clause anywhere in the statement. */
  locking: LockStrength | null;
  /** Real tables, deduplicated, in walk order; CTE names are not tables. */
  tables: TableName[];
  /** Called functions, schema-qualified as written (`nextval`, `pg_catalog.now`), deduplicated. */
  calls: string[];
  keys: KeyCandidate[];
  keyExpr: KeyExpr;
  /** Columns assigned by UPDATE SET / INSERT ... ON CONFLICT DO UPDATE SET / MERGE. */
  assigned: string[];
  /** SELECT ... INTO target. */
  into: TableName | null;
  transaction: TransactionInfo | null;
  set: SetInfo | null;
  insert: InsertInfo | null;
  copy: CopyInfo | null;
  /** SHOW <name>: the parameter name, lower case. */
  show: string | null;
}

export interface CommentHints {
  shard: number | null;
  shardingKey: string | null;
  role: 'primary' | 'replica' | null;
}

export interface SqlParseError {
  message: string;
  /** 0-based char (JS string) index of the error, or null when PostgreSQL gave none. */
  position: number | null;
}

export type QueryAnalysis =
  | { ok: true; statements: StatementAnalysis[]; hints: CommentHints }
  | { ok: false; error: SqlParseError; hints: CommentHints };
