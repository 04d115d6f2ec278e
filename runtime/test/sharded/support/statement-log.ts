// Where statements went, read from PostgreSQL's own log: the shard server runs with
// log_statement = 'all', log_min_error_statement = 'error' and log_line_prefix '%d|', so every
// statement a backend receives (simple Query, extended Execute, or one that failed to parse or
// plan) leaves a line naming its database. A backend writes that line before it answers, and
// pgdog answers the client only after every shard has answered: once the client has its
// ReadyForQuery, the lines of that statement are in the file.
import type { PgServer } from '@pgdog/testing';

export const STATEMENT_LOG_SETTINGS = {
  log_statement: 'all',
  log_min_error_statement: 'error',
  log_line_prefix: '%d|',
  log_min_messages: 'warning',
};

// Statements a pooler sends on its own account (connection reset, health check). They are
// ignored unless the client's query is itself one of them.
// pgdog's own statements: pool resets and checks, and the column-order lookup of an INSERT
// without a column list (table-columns.ts).
const HOUSEKEEPING = /^(DISCARD ALL|RESET ALL|SELECT 1|;|DEALLOCATE ALL|CLOSE ALL|UNLISTEN \*|SET application_name\b.*|BEGIN|COMMIT|ROLLBACK|SELECT pg_advisory_unlock_all\(\)|SELECT attname, attgenerated <> '' FROM pg_catalog\.pg_attribute .*)\s*;?\s*$/i;

const LINE = /^([^|\s]*)\|(?:LOG|ERROR|FATAL|WARNING|DETAIL):\s+(?:statement|execute [^:]*|STATEMENT):\s+(.*)$/;

export class StatementLog {
  private offset = 0;
  constructor(private readonly server: PgServer) {}

  /** Forget everything logged so far. */
  mark(): void {
    this.offset = this.server.readLog().length;
  }

  /** Databases that received a statement since mark(), other than housekeeping. */
  databasesSinceMark(query: string): Set<string> {
    const text = this.server.readLog().slice(this.offset);
    const dbs = new Set<string>();
    const own = HOUSEKEEPING.test(query.trim());
    for (const line of text.split('\n')) {
      const m = LINE.exec(line);
      if (m === null) continue;
      if (!own && HOUSEKEEPING.test(m[2]!.trim())) continue;
      dbs.add(m[1]!);
    }
    return dbs;
  }
}
