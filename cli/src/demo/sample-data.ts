// The demo's sample rows, generated deterministically (no random()) so that every run, both demo
// databases and the demo's test see the same data. Values are SQL literals, ready for VALUES lists.
// Pure.

/** Row counts of the sample data. */
export const SAMPLE_ROWS = { countries: 12, users: 300, orders: 1000 } as const;

/** In code order: user n lives in COUNTRIES[n mod 12]. */
export const COUNTRIES: readonly (readonly [code: string, name: string])[] = [
  ['AR', 'Argentina'],
  ['AU', 'Australia'],
  ['BR', 'Brazil'],
  ['CA', 'Canada'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['IN', 'India'],
  ['JP', 'Japan'],
  ['KE', 'Kenya'],
  ['NL', 'Netherlands'],
  ['US', 'United States'],
  ['VN', 'Vietnam'],
];

const STATUSES = ['pending', 'paid', 'shipped', 'cancelled'] as const;
const HOUR_MS = 3_600_000;
const USERS_EPOCH = Date.UTC(2025, 0, 1);
const ORDERS_EPOCH = Date.UTC(2025, 1, 1);

export interface SampleTable {
  readonly table: string;
  readonly columns: readonly string[];
  /** One entry per row: SQL literals in column order. */
  readonly rows: readonly (readonly string[])[];
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const timestamp = (ms: number): string => lit(new Date(ms).toISOString());

export function countryRows(): SampleTable {
  return { table: 'countries', columns: ['code', 'name'], rows: COUNTRIES.map(([c, n]) => [lit(c), lit(n)]) };
}

/** User n: 'user n', usern@example.com, created n * 7 hours after 2025-01-01 UTC. */
export function userRows(): SampleTable {
  const rows: string[][] = [];
  for (let n = 1; n <= SAMPLE_ROWS.users; n++) {
    rows.push([String(n), lit(`user ${n}`), lit(`user${n}@example.com`), lit(COUNTRIES[n % COUNTRIES.length]![0]), timestamp(USERS_EPOCH + n * 7 * HOUR_MS)]);
  }
  return { table: 'users', columns: ['id', 'name', 'email', 'country_code', 'created_at'], rows };
}

/**
 * Order n belongs to user ((n - 1) mod 300) + 1; its amount is ((n * 37) mod 500) + 1 units and
 * (n mod 100) cents, written as an exact decimal so that no float rounding creeps in.
 */
export function orderRows(): SampleTable {
  const rows: string[][] = [];
  for (let n = 1; n <= SAMPLE_ROWS.orders; n++) {
    const amount = `${((n * 37) % 500) + 1}.${String(n % 100).padStart(2, '0')}`;
    rows.push([String(n), String(((n - 1) % SAMPLE_ROWS.users) + 1), amount, lit(STATUSES[n % STATUSES.length]!), timestamp(ORDERS_EPOCH + n * 3 * HOUR_MS)]);
  }
  return { table: 'orders', columns: ['id', 'user_id', 'amount', 'status', 'created_at'], rows };
}

/** Multi-row INSERTs of at most `batch` rows each. */
export function insertStatements(t: SampleTable, batch: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < t.rows.length; i += batch) {
    const values = t.rows.slice(i, i + batch).map((r) => `(${r.join(', ')})`).join(',\n  ');
    out.push(`INSERT INTO ${t.table} (${t.columns.join(', ')}) VALUES\n  ${values}`);
  }
  return out;
}

/** Every sample row as INSERTs, parents before children (the foreign keys need that order). */
export function sampleInserts(batch: number): string[] {
  return [countryRows(), userRows(), orderRows()].flatMap((t) => insertStatements(t, batch));
}
