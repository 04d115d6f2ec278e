// The golden corpus config (fixtures/queries) pointed at local test databases: every shard entry
// gets 127.0.0.1 and the test server's port, replica entries are dropped (one server per shard
// database is enough to see where a statement went), and clients log in with trust. Pure text
// rewriting, so every other key (sharded tables, mappings, rules) stays exactly as in the corpus.

/** Rewrites pgdog.toml of the corpus for a server on `port`. */
export function localCorpusConfig(pgdogToml: string, port: number): string {
  const blocks = pgdogToml.split(/^(?=\[)/m);
  const out: string[] = [];
  for (const block of blocks) {
    if (block.startsWith('[[databases]]')) {
      if (/^role\s*=\s*"replica"/m.test(block)) continue;
      const name = /^name\s*=\s*"([^"]+)"/m.exec(block)![1]!;
      let b = block.replace(/^host\s*=\s*"[^"]*"/m, `host = "127.0.0.1"\nport = ${port}`);
      if (!/^database_name\s*=/m.test(b)) b = b.replace(/^name\s*=.*$/m, (line) => `${line}\ndatabase_name = "${name}"`);
      out.push(b);
    } else if (block.startsWith('[general]')) {
      out.push(block.replace('[general]\n', '[general]\nauth_type = "trust"\nlog_connections = false\nlog_disconnections = false\n'));
    } else out.push(block);
  }
  return out.join('');
}

/** Database names (database_name) per logical database, in shard order. */
export function shardDatabases(localToml: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const block of localToml.split(/^(?=\[)/m)) {
    if (!block.startsWith('[[databases]]')) continue;
    const name = /^name\s*=\s*"([^"]+)"/m.exec(block)![1]!;
    const dbName = /^database_name\s*=\s*"([^"]+)"/m.exec(block)![1]!;
    const shard = Number(/^shard\s*=\s*(\d+)/m.exec(block)?.[1] ?? 0);
    const list = map.get(name) ?? [];
    list[shard] = dbName;
    map.set(name, list);
  }
  return map;
}

/** Tables and columns the corpus queries use, so that most statements run (errors are fine too:
 *  a statement that fails on a shard was still sent there). */
export const CORPUS_SCHEMA: Record<string, string[]> = {
  shop: [
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric, status text, created_at timestamptz, note text, seen bool, tax_id int, country text)",
    'CREATE SEQUENCE orders_id_seq',
    'CREATE TABLE customers (id bigint, name text)',
    'CREATE TABLE sessions (token varchar, data text, device_id uuid)',
    'CREATE TABLE devices (device_id uuid, name text)',
    'CREATE TABLE stores (id int, region varchar)',
    'CREATE TABLE invoices (invoice_id bigint, paid bool)',
    'CREATE SCHEMA billing',
    'CREATE TABLE billing.tenants (tenant_id uuid)',
    'CREATE TABLE tenants (tenant_id uuid)',
    'CREATE TABLE countries (code text, name text)',
    'CREATE TABLE currencies (code text, symbol text)',
    'CREATE TABLE tax_rates (id int, country text, rate numeric, currency text)',
    'CREATE TABLE payments (order_id bigint)',
    'CREATE TABLE daily_totals (day date, total numeric)',
    'CREATE TABLE daily_totals_archive (day date, total numeric)',
    'CREATE TABLE audit_log (id int, note text, event text)',
  ],
  ledger: [
    'CREATE TABLE accounts (id bigint, tenant_id bigint, balance numeric)',
    'CREATE TABLE transfers (id bigint, tenant_id bigint, account_id bigint)',
  ],
  analytics: ['CREATE TABLE events (name text)'],
};
