// Compares one query's answer from two targets: column names, command tag, row count, and the
// rows as the server's text (in order, or as a multiset). Returns a description of the first
// difference, or null; errors on either side are differences too.
import type { QueryResultText, TextClient } from './text-client.js';

type Outcome = { ok: true; r: QueryResultText } | { ok: false; error: string };

async function outcome(p: Promise<QueryResultText>): Promise<Outcome> {
  try {
    return { ok: true, r: await p };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

const rowKey = (row: readonly (string | null)[]): string => JSON.stringify(row);

export function diffResults(expected: QueryResultText, actual: QueryResultText, ordered: boolean): string | null {
  if (JSON.stringify(expected.fields) !== JSON.stringify(actual.fields)) return `columns ${JSON.stringify(actual.fields)} != ${JSON.stringify(expected.fields)}`;
  if (expected.command !== actual.command) return `command ${actual.command} != ${expected.command}`;
  if (expected.rowCount !== actual.rowCount) return `rowCount ${actual.rowCount} != ${expected.rowCount}`;
  const e = expected.rows.map(rowKey);
  const a = actual.rows.map(rowKey);
  if (!ordered) {
    e.sort();
    a.sort();
  }
  if (e.length !== a.length) return `${a.length} rows != ${e.length}`;
  for (let i = 0; i < e.length; i++) if (e[i] !== a[i]) return `row ${i}: ${a[i]} != ${e[i]}`;
  return null;
}

/** null when both answer the same; `expectedMustSucceed`: an error on the reference side is a
 *  broken test query, reported as such. */
export async function compareQuery(
  reference: TextClient,
  target: TextClient,
  sql: string,
  ordered: boolean,
  params: readonly (string | null)[] | undefined,
  mode: 'simple' | 'extended',
): Promise<string | null> {
  const e = await outcome(reference.query(sql, params, mode));
  if (!e.ok) return `BROKEN TEST QUERY (fails on plain PostgreSQL): ${e.error}`;
  const a = await outcome(target.query(sql, params, mode));
  if (!a.ok) return `error through the target: ${a.error}`;
  return diffResults(e.r, a.r, ordered);
}
