// A multi-row INSERT ... VALUES cut into its rows, so that each shard gets an INSERT of only its
// own rows. Pure text work on a statement the parser has accepted: the scan only needs to know
// quotes, comments and parentheses to find where VALUES' top-level row groups start and end.

export interface InsertRows {
  /** Text up to and including VALUES (and the space after it, if any). */
  readonly prefix: string;
  /** Each row as written: `(1, 'a')`. */
  readonly rows: readonly string[];
  /** Text after the last row: ON CONFLICT, RETURNING, `;`... */
  readonly suffix: string;
}

/** The rows of `INSERT ... VALUES (..), (..) ...`; null when the text is not of that shape. */
export function insertRows(sql: string): InsertRows | null {
  const n = sql.length;
  let depth = 0;
  let valuesEnd = -1;
  const rows: string[] = [];
  let rowStart = -1;
  for (let i = 0; i < n; ) {
    // Between rows only a comma may follow; a row group outside VALUES (the column list) is not one.
    const c = sql.charCodeAt(i);
    const skip = skipQuotedOrComment(sql, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    if (c === 40 /* ( */) {
      if (depth === 0 && valuesEnd >= 0) rowStart = i;
      depth++;
    } else if (c === 41 /* ) */) {
      depth--;
      if (depth < 0) return null;
      if (depth === 0 && rowStart >= 0) {
        rows.push(sql.slice(rowStart, i + 1));
        rowStart = -1;
        // What follows decides: a comma means another row, anything else ends the list.
        let j = i + 1;
        for (;;) {
          while (j < n && isSpace(sql.charCodeAt(j))) j++;
          const k = skipQuotedOrComment(sql, j);
          if (k === j || sql.charCodeAt(j) === 39 || sql.charCodeAt(j) === 34 || sql.charCodeAt(j) === 36) break;
          j = k;
        }
        if (sql.charCodeAt(j) !== 44 /* , */) return { prefix: sql.slice(0, valuesEnd), rows, suffix: sql.slice(i + 1) };
        i = j + 1;
        continue;
      }
    } else if (depth === 0 && valuesEnd < 0 && isWordAt(sql, i, 'values')) {
      valuesEnd = i + 6;
      while (valuesEnd < n && isSpace(sql.charCodeAt(valuesEnd))) valuesEnd++;
      i = valuesEnd;
      continue;
    }
    i++;
  }
  return null;
}

/** The INSERT of some rows only: the same text around them. */
export function insertOf(rows: InsertRows, pick: readonly number[]): string {
  let body = '';
  for (let k = 0; k < pick.length; k++) body += (k === 0 ? '' : ', ') + rows.rows[pick[k]!];
  return rows.prefix + body + rows.suffix;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}

function isWordAt(sql: string, i: number, word: string): boolean {
  if (i > 0 && isWordChar(sql.charCodeAt(i - 1))) return false;
  if (sql.slice(i, i + word.length).toLowerCase() !== word) return false;
  return i + word.length >= sql.length || !isWordChar(sql.charCodeAt(i + word.length));
}

/** End of a quoted string, quoted identifier, dollar quote or comment starting at i; else i. */
/**
 * The statement with its `$n` parameters renumbered 1..m in order of first use (an INSERT split per
 * shard keeps only some rows' parameters, and PostgreSQL wants no gaps); `order[j]` is the original
 * number of new parameter j + 1.
 */
export function renumberParams(sql: string): { readonly text: string; readonly order: readonly number[] } {
  const order: number[] = [];
  const seen = new Map<number, number>();
  let out = '';
  let from = 0;
  for (let i = 0; i < sql.length; ) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip > i) {
      i = skip;
      continue;
    }
    if (sql.charCodeAt(i) === 36 /* $ */ && (i === 0 || !isWordChar(sql.charCodeAt(i - 1)))) {
      let j = i + 1;
      while (j < sql.length && sql.charCodeAt(j) >= 48 && sql.charCodeAt(j) <= 57) j++;
      if (j > i + 1) {
        const old = Number(sql.slice(i + 1, j));
        let now = seen.get(old);
        if (now === undefined) {
          order.push(old);
          now = order.length;
          seen.set(old, now);
        }
        out += sql.slice(from, i) + '$' + now;
        from = j;
        i = j;
        continue;
      }
    }
    i++;
  }
  return { text: out + sql.slice(from), order };
}

function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql.charCodeAt(i);
  const next = sql.charCodeAt(i + 1);
  if (c === 45 && next === 45) {
    const e = sql.indexOf('\n', i);
    return e < 0 ? sql.length : e + 1;
  }
  if (c === 47 && next === 42) {
    let depth = 0;
    for (let j = i; j < sql.length - 1; j++) {
      if (sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42) { depth++; j++; }
      else if (sql.charCodeAt(j) === 42 && sql.charCodeAt(j + 1) === 47) { depth--; j++; if (depth === 0) return j + 1; }
    }
    return sql.length;
  }
  if (c === 39 /* ' */) {
    // E'...' strings take backslash escapes; standard strings only double the quote.
    const escapes = i > 0 && (sql.charCodeAt(i - 1) | 32) === 101 && (i < 2 || !isWordChar(sql.charCodeAt(i - 2)));
    for (let j = i + 1; j < sql.length; j++) {
      const d = sql.charCodeAt(j);
      if (escapes && d === 92) { j++; continue; }
      if (d === 39) {
        if (sql.charCodeAt(j + 1) === 39) { j++; continue; }
        return j + 1;
      }
    }
    return sql.length;
  }
  if (c === 34 /* " */) {
    for (let j = i + 1; j < sql.length; j++) {
      if (sql.charCodeAt(j) === 34) {
        if (sql.charCodeAt(j + 1) === 34) { j++; continue; }
        return j + 1;
      }
    }
    return sql.length;
  }
  if (c === 36 /* $ */ && (i === 0 || !isWordChar(sql.charCodeAt(i - 1)))) {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
    if (m === null) return i;
    const e = sql.indexOf(m[0], i + m[0].length);
    return e < 0 ? sql.length : e + m[0].length;
  }
  return i;
}
