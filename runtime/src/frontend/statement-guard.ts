// Statement pooling hands the server back after every statement, so a transaction block would
// leave its server mid-transaction. Statements that open one are refused before they reach a
// server. Only called in statement mode: other modes never decode the query text.

/** True when `sql` starts with BEGIN or START TRANSACTION (after whitespace and comments). */
export function opensTransactionBlock(sql: string): boolean {
  const i = skipBlankAndComments(sql, 0);
  return startsWithWord(sql, i, 'begin') || (startsWithWord(sql, i, 'start') && startsWithWord(sql, skipBlankAndComments(sql, i + 5), 'transaction'));
}

function startsWithWord(sql: string, at: number, word: string): boolean {
  if (sql.length < at + word.length) return false;
  if (sql.slice(at, at + word.length).toLowerCase() !== word) return false;
  const next = sql.charCodeAt(at + word.length);
  // A word boundary: end of text or anything that cannot continue an identifier.
  return Number.isNaN(next) || !/[A-Za-z0-9_$]/.test(String.fromCharCode(next));
}

function skipBlankAndComments(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i])) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      // PostgreSQL block comments nest.
      let depth = 0;
      while (i < sql.length) {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
    } else return i;
  }
}
