// The generated data set of the sharded acceptance tests: users and orders sharded by user_id,
// omnisharded countries. Deterministic (seeded), with NULLs, duplicate values, multi-byte text,
// negative and large keys. Pure: returns SQL text.
import { seededRandom } from '@pgdog/testing';

export const DDL: readonly string[] = [
  'CREATE TABLE users (user_id bigint PRIMARY KEY, name text, email text, created_at timestamptz, score numeric, active bool)',
  'CREATE TABLE orders (order_id bigint, user_id bigint, amount numeric(12,2), placed date, status text, note text NULL)',
  'CREATE TABLE countries (code text, name text)',
];

export const COUNTRIES: readonly [string, string][] = [
  ['FR', 'France'], ['DE', 'Deutschland'], ['JP', '日本'], ['GR', 'Ελλάδα'], ['US', 'United States'],
  ['BR', 'Brasil'], ['RU', 'Россия'], ['CN', '中国'], ['ES', 'España'], ['IS', 'Ísland'],
];

const FIRST = ['Ada', 'Grace', 'Émile', 'Zoë', 'Łukasz', '太郎', 'Ολγα', 'Björk', 'ada', 'Ян', "O'Brien", 'Ünal'];
const STATUSES = ['open', 'paid', 'shipped', 'cancelled', 'Open'];

export interface DataSet {
  /** INSERT statements, each a multi-row INSERT of up to `batch` rows. */
  readonly inserts: readonly string[];
  readonly userIds: readonly bigint[];
  readonly orderCount: number;
}

function quote(s: string | null): string {
  return s === null ? 'NULL' : `'${s.replaceAll("'", "''")}'`;
}

/** `users` user ids, ~4 orders each; the same seed always gives the same SQL. */
export function generateDataSet(users = 240, seed = 20240607, batch = 50): DataSet {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const maybe = (s: string, p = 0.1): string | null => (rand() < p ? null : s);
  const ids = new Set<bigint>();
  // Small, negative and near-limit keys: the hash must place every one of them like PostgreSQL.
  for (const k of [1n, 2n, 3n, 0n, -1n, -42n, 2147483647n, 2147483648n, 9223372036854775807n, -9223372036854775808n]) ids.add(k);
  while (ids.size < users) ids.add(BigInt(Math.floor(rand() * 1_000_000) - 1000));
  const userIds = [...ids];
  const userRows: string[] = [];
  const orderRows: string[] = [];
  let orderId = 1;
  for (const id of userIds) {
    const first = pick(FIRST);
    const cc = pick(COUNTRIES)[0].toLowerCase();
    const name = maybe(`${first} ${Math.floor(rand() * 50)}`);
    const email = maybe(`${first.toLowerCase()}${Math.floor(rand() * 20)}@mail.${cc}`, 0.05);
    const created = maybe(`2021-01-01 00:00:00+00`, 0.08) === null ? null : `${2020 + Math.floor(rand() * 4)}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')} ${String(Math.floor(rand() * 24)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00+0${Math.floor(rand() * 9)}`;
    const score = maybe((Math.floor(rand() * 20000) / 100 - 50).toFixed(Math.floor(rand() * 3)));
    const active = rand() < 0.1 ? 'NULL' : rand() < 0.6 ? 'true' : 'false';
    userRows.push(`(${id}, ${quote(name)}, ${quote(email)}, ${quote(created)}, ${score ?? 'NULL'}, ${active})`);
    const n = Math.floor(rand() * 8);
    for (let i = 0; i < n; i++) {
      const amount = (Math.floor(rand() * 100000) / 100).toFixed(2);
      const placed = `2023-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
      const note = rand() < 0.5 ? null : pick(['gift', 'rush ✈', 'fragile', 'geschenk für Oma', '']);
      // Duplicate order ids on purpose (the column has no key): a merge must not deduplicate.
      const oid = rand() < 0.03 ? 7 : orderId++;
      orderRows.push(`(${oid}, ${id}, ${rand() < 0.05 ? 'NULL' : amount}, ${quote(placed)}, ${quote(maybe(pick(STATUSES), 0.05))}, ${quote(note)})`);
    }
  }
  const inserts: string[] = [];
  for (let i = 0; i < userRows.length; i += batch) inserts.push(`INSERT INTO users (user_id, name, email, created_at, score, active) VALUES ${userRows.slice(i, i + batch).join(', ')}`);
  for (let i = 0; i < orderRows.length; i += batch) inserts.push(`INSERT INTO orders (order_id, user_id, amount, placed, status, note) VALUES ${orderRows.slice(i, i + batch).join(', ')}`);
  inserts.push(`INSERT INTO countries (code, name) VALUES ${COUNTRIES.map(([c, n]) => `(${quote(c)}, ${quote(n)})`).join(', ')}, ('XX', NULL), ('FR', 'France')`);
  return { inserts, userIds, orderCount: orderRows.length };
}
