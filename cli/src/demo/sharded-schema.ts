// The demo's sharded database "pgdog_sharded": users and orders hash-sharded by user id over two
// shards, countries omnisharded (a full copy on every shard). Everything here is sent THROUGH pgdog
// once it serves, so the DDL reaches every shard and each row lands where pgdog's routing puts it.

import { sampleInserts } from './sample-data.js';

export const SHARDED_DATABASE = 'pgdog_sharded';
export const SHARD_COUNT = 2;

/** The database on shard server i. */
export function shardDatabaseName(shard: number): string {
  return `shard_${shard}`;
}

/** Table -> its sharding column, as written to [[sharded_tables]]. */
export const SHARDED_TABLES: readonly (readonly [table: string, column: string])[] = [
  ['users', 'id'],
  ['orders', 'user_id'],
];
export const OMNISHARDED_TABLES: readonly string[] = ['countries'];

/**
 * No identity columns: each shard would count on its own and hand out the same ids twice. Foreign
 * keys hold per shard, because an order sits on the shard of its user and countries are everywhere.
 */
export const SHARDED_SCHEMA_SQL: readonly string[] = [
  `CREATE TABLE countries (
     code text PRIMARY KEY,
     name text NOT NULL UNIQUE
   )`,
  `CREATE TABLE users (
     id bigint PRIMARY KEY,
     name text NOT NULL,
     email text NOT NULL UNIQUE,
     country_code text NOT NULL REFERENCES countries (code),
     created_at timestamptz NOT NULL
   )`,
  `CREATE TABLE orders (
     id bigint PRIMARY KEY,
     user_id bigint NOT NULL REFERENCES users (id),
     amount numeric(10, 2) NOT NULL,
     status text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')),
     created_at timestamptz NOT NULL
   )`,
  `CREATE INDEX orders_user_id_idx ON orders (user_id)`,
  // pgdog splits each multi-row INSERT into one INSERT per shard; countries go to every shard.
  ...sampleInserts(250),
  `ANALYZE countries, users, orders`,
];

export interface ShardedExample {
  /** What it shows (printed as an SQL comment above the query). */
  readonly note: string;
  readonly sql: string;
  /** read: answers as the unsharded database would; write: changes rows; refused: pgdog says no. */
  readonly kind: 'read' | 'write' | 'refused';
}

/** Printed after start-up; the demo's test runs each of them through pgdog. */
export const SHARDED_EXAMPLES: readonly ShardedExample[] = [
  { note: 'one shard: the key picks it', sql: 'SELECT id, amount, status FROM orders WHERE user_id = 42 ORDER BY id;', kind: 'read' },
  { note: 'every shard, merged: ORDER BY + LIMIT', sql: 'SELECT id, user_id, amount FROM orders ORDER BY amount DESC, id LIMIT 5;', kind: 'read' },
  { note: 'every shard, merged: GROUP BY with aggregates (avg from sum and count)', sql: 'SELECT status, count(*), sum(amount), avg(amount) FROM orders GROUP BY status ORDER BY status;', kind: 'read' },
  { note: 'join with the omnisharded countries table', sql: 'SELECT c.name AS country, count(*) AS users FROM users u JOIN countries c ON c.code = u.country_code GROUP BY c.name ORDER BY users DESC, country LIMIT 5;', kind: 'read' },
  { note: 'join on the sharding key: runs on the key\'s shard', sql: 'SELECT u.name, o.id, o.amount FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = 7 ORDER BY o.id;', kind: 'read' },
  { note: 'a write goes to its shard', sql: "INSERT INTO orders (id, user_id, amount, status, created_at) VALUES (1001, 42, 9.99, 'pending', now());", kind: 'write' },
  { note: 'refused with a clear error, never a wrong answer: a window over all shards', sql: 'SELECT id, rank() OVER (ORDER BY amount DESC) FROM orders LIMIT 3;', kind: 'refused' },
];

/** The dry-run example: where pgdog would send a query, without sending it. */
export const ROUTE_EXAMPLE_SQL = 'SELECT * FROM orders WHERE user_id = 42';
