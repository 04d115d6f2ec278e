// The query list of the differential suite over the generated data set (dataset.ts). `ordered`
// only where the ORDER BY fixes the order of the visible rows (ties are whole-row ties);
// everything else is compared as a multiset. `params` makes it an extended-protocol query.

export interface DiffQuery {
  readonly sql: string;
  readonly ordered: boolean;
  readonly params?: readonly (string | null)[];
}

const o = (sql: string): DiffQuery => ({ sql, ordered: true });
const m = (sql: string): DiffQuery => ({ sql, ordered: false });
const p = (sql: string, params: readonly (string | null)[], ordered = true): DiffQuery => ({ sql, ordered, params });

const CC = "upper(split_part(u.email, '.', 2))";

export const DIFF_QUERIES: readonly DiffQuery[] = [
  // Point lookups and IN lists (one shard or a few).
  m('SELECT * FROM users WHERE user_id = 1'),
  m('SELECT name, email FROM users WHERE user_id = -42'),
  m('SELECT * FROM users WHERE user_id = 9223372036854775807'),
  m('SELECT * FROM users WHERE user_id = -9223372036854775808'),
  m('SELECT * FROM users WHERE user_id = 999999999'),
  o('SELECT * FROM orders WHERE user_id = 2 ORDER BY order_id, amount'),
  m('SELECT count(*) FROM orders WHERE user_id = 3'),
  o('SELECT user_id, name FROM users WHERE user_id IN (1, 2, 3, -1) ORDER BY user_id'),
  m('SELECT * FROM orders WHERE user_id IN (0, 2147483647, 2147483648)'),
  o('SELECT user_id FROM users WHERE user_id = 1 OR user_id = -42 ORDER BY user_id DESC'),
  m('SELECT count(*) FROM users WHERE user_id = 2147483648'),
  m('SELECT * FROM users WHERE user_id = 1 AND active'),
  m('SELECT * FROM orders WHERE user_id = 1 AND 1 = 0'),
  // Scans.
  m('SELECT * FROM users'),
  m('SELECT * FROM orders'),
  m('SELECT user_id, score FROM users WHERE score > 10'),
  m('SELECT * FROM users WHERE name IS NULL'),
  m("SELECT order_id, note FROM orders WHERE note = ''"),
  m("SELECT * FROM orders WHERE status = 'nonexistent'"),
  m('SELECT order_id FROM orders WHERE order_id = 7'),
  m('SELECT 1 AS one'),
  // ORDER BY: every direction, NULLS placement and type; columns outside the select list.
  o('SELECT user_id, name FROM users ORDER BY user_id'),
  o('SELECT user_id, name FROM users ORDER BY user_id DESC'),
  o('SELECT user_id, name FROM users ORDER BY name, user_id'),
  o('SELECT user_id, name FROM users ORDER BY name DESC, user_id'),
  o('SELECT user_id, name FROM users ORDER BY name NULLS FIRST, user_id'),
  o('SELECT user_id, name FROM users ORDER BY name DESC NULLS LAST, user_id'),
  o('SELECT user_id, score FROM users ORDER BY score, user_id'),
  o('SELECT user_id, score FROM users ORDER BY score DESC NULLS LAST, user_id'),
  o('SELECT user_id, created_at FROM users ORDER BY created_at, user_id'),
  o('SELECT user_id, created_at FROM users ORDER BY created_at DESC NULLS FIRST, user_id'),
  o('SELECT order_id, user_id, placed FROM orders ORDER BY placed, user_id, order_id'),
  o('SELECT user_id, active FROM users ORDER BY active, user_id'),
  o('SELECT user_id, active FROM users ORDER BY active DESC NULLS LAST, user_id DESC'),
  o('SELECT user_id FROM users ORDER BY email, user_id'),
  o('SELECT name FROM users ORDER BY user_id'),
  o('SELECT order_id, amount FROM orders ORDER BY amount DESC NULLS LAST, order_id, user_id'),
  o('SELECT status, amount FROM orders ORDER BY status, amount, order_id, user_id'),
  o('SELECT upper(name) AS n, user_id FROM users ORDER BY upper(name), user_id'),
  o('SELECT user_id, amount FROM orders ORDER BY 2 DESC, 1'),
  o("SELECT user_id, email FROM users WHERE email LIKE '%.jp' ORDER BY email, user_id"),
  o("SELECT user_id, name FROM users WHERE user_id = 1 OR name = 'Ada 3' ORDER BY user_id"),
  // LIMIT / OFFSET.
  o('SELECT user_id FROM users ORDER BY user_id LIMIT 10'),
  o('SELECT user_id FROM users ORDER BY user_id LIMIT 10 OFFSET 5'),
  o('SELECT user_id FROM users ORDER BY user_id OFFSET 230'),
  o('SELECT user_id FROM users ORDER BY user_id LIMIT 0'),
  o('SELECT user_id, name FROM users ORDER BY name DESC NULLS LAST, user_id LIMIT 15 OFFSET 20'),
  o('SELECT order_id, user_id FROM orders ORDER BY amount, order_id, user_id LIMIT 25'),
  o('SELECT * FROM users ORDER BY user_id LIMIT 5 OFFSET 1000'),
  o('SELECT user_id FROM users ORDER BY created_at DESC NULLS LAST, user_id LIMIT 3'),
  o('SELECT user_id, score FROM users ORDER BY score NULLS FIRST, user_id OFFSET 3 LIMIT 12'),
  // DISTINCT.
  o('SELECT DISTINCT status FROM orders ORDER BY status'),
  m('SELECT DISTINCT status FROM orders'),
  o('SELECT DISTINCT active FROM users ORDER BY active NULLS FIRST'),
  o('SELECT DISTINCT status, note FROM orders ORDER BY status, note'),
  o('SELECT DISTINCT placed FROM orders ORDER BY placed DESC LIMIT 5'),
  m('SELECT DISTINCT order_id FROM orders WHERE order_id = 7'),
  o('SELECT DISTINCT user_id FROM orders ORDER BY user_id OFFSET 100 LIMIT 10'),
  m('SELECT DISTINCT note FROM orders'),
  // Aggregates without GROUP BY.
  o('SELECT count(*) FROM users'),
  o('SELECT count(*) FROM orders'),
  o('SELECT count(name), count(email), count(score) FROM users'),
  // A cast count merges like a count (int4 / numeric columns, text and binary).
  o('SELECT count(*)::int AS n, CAST(count(score) AS numeric) AS s, count(name)::smallint FROM users'),
  m('SELECT active, count(*)::int FROM users GROUP BY active'),
  o('SELECT sum(amount), min(amount), max(amount), avg(amount) FROM orders'),
  o('SELECT sum(score), avg(score), min(score), max(score) FROM users'),
  o('SELECT min(name), max(name), min(created_at), max(created_at) FROM users'),
  o('SELECT min(placed), max(placed), count(note) FROM orders'),
  o('SELECT sum(user_id), avg(user_id), min(user_id), max(user_id) FROM users'),
  o('SELECT count(*), sum(amount) FROM orders WHERE user_id = 999999999'),
  o("SELECT max(amount), avg(amount) FROM orders WHERE status = 'none'"),
  o('SELECT count(*), sum(amount), avg(amount) FROM orders WHERE amount > 500'),
  // GROUP BY (and HAVING).
  o('SELECT status, count(*) FROM orders GROUP BY status ORDER BY status'),
  o('SELECT status, count(*), sum(amount), avg(amount) FROM orders GROUP BY status ORDER BY status NULLS FIRST'),
  o('SELECT active, count(*), avg(score) FROM users GROUP BY active ORDER BY active'),
  o('SELECT status, min(placed), max(placed) FROM orders GROUP BY status ORDER BY count(*) DESC, status'),
  o('SELECT placed, count(*) FROM orders GROUP BY placed ORDER BY placed DESC LIMIT 10'),
  m('SELECT count(*) FROM orders GROUP BY status'),
  m('SELECT status, sum(amount) FROM orders GROUP BY status'),
  o('SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > 100 ORDER BY status'),
  o('SELECT user_id, count(*), sum(amount) FROM orders GROUP BY user_id ORDER BY user_id'),
  o('SELECT user_id, count(*) FROM orders GROUP BY user_id HAVING count(*) >= 6 ORDER BY user_id'),
  o('SELECT note, count(*) FROM orders GROUP BY note ORDER BY note NULLS FIRST'),
  o('SELECT status, note, count(*) FROM orders GROUP BY status, note ORDER BY status, note'),
  o('SELECT status, max(amount) FROM orders GROUP BY status ORDER BY 2 DESC NULLS LAST, 1 LIMIT 3 OFFSET 1'),
  m('SELECT status, count(*) FROM orders WHERE user_id = 999999999 GROUP BY status'),
  o('SELECT lower(status) AS s, count(*) FROM orders GROUP BY lower(status) ORDER BY 1'),
  o('SELECT active, min(name), max(created_at) FROM users GROUP BY active ORDER BY active DESC NULLS FIRST'),
  // Joins on the sharding key (co-located).
  o('SELECT u.name, o.order_id, o.amount FROM users u JOIN orders o USING (user_id) WHERE user_id = 2 ORDER BY o.order_id, o.amount'),
  m('SELECT * FROM users JOIN orders USING (user_id) WHERE user_id = -42'),
  m('SELECT u.user_id, count(o.order_id) FROM users u LEFT JOIN orders o ON o.user_id = u.user_id WHERE u.user_id = 3 GROUP BY u.user_id'),
  o('SELECT user_id, u.name, o.amount FROM users u JOIN orders o USING (user_id) WHERE user_id IN (1, 2, 3) ORDER BY user_id, o.amount, o.order_id'),
  m('SELECT u.user_id, o.order_id FROM users u JOIN orders o ON o.user_id = u.user_id'),
  o('SELECT u.active, count(*) FROM users u JOIN orders o ON o.user_id = u.user_id GROUP BY u.active ORDER BY u.active'),
  o('SELECT user_id FROM users WHERE user_id IN (SELECT user_id FROM orders WHERE amount > 900) ORDER BY user_id'),
  // Joins with the omnisharded table.
  m(`SELECT u.user_id, c.name FROM users u JOIN countries c ON c.code = ${CC} WHERE u.user_id = 1`),
  o(`SELECT c.code, count(*) FROM users u JOIN countries c ON c.code = ${CC} GROUP BY c.code ORDER BY c.code`),
  o(`SELECT c.name, u.user_id FROM countries c JOIN users u ON ${CC} = c.code WHERE u.user_id IN (1, 2, 3, 0) ORDER BY u.user_id, c.name`),
  m(`SELECT u.user_id, c.name FROM users u LEFT JOIN countries c ON c.code = ${CC}`),
  o('SELECT * FROM countries ORDER BY code, name'),
  o('SELECT count(*) FROM countries'),
  m('SELECT code FROM countries WHERE name IS NULL'),
  o('SELECT DISTINCT code FROM countries ORDER BY code'),
  // Extended protocol with bind parameters.
  p('SELECT * FROM users WHERE user_id = $1', ['2'], false),
  p('SELECT name FROM users WHERE user_id = $1', ['-9223372036854775808'], false),
  p('SELECT * FROM orders WHERE user_id = $1 ORDER BY order_id, amount', ['3']),
  p('SELECT user_id FROM users WHERE user_id IN ($1, $2, $3) ORDER BY user_id', ['1', '-1', '2147483648']),
  p('SELECT user_id FROM users WHERE user_id = ANY($1) ORDER BY user_id', ['{1,2,3,0}']),
  p('SELECT user_id, name FROM users ORDER BY user_id LIMIT $1 OFFSET $2', ['7', '3']),
  p('SELECT status, count(*) FROM orders WHERE amount > $1 GROUP BY status ORDER BY status', ['100']),
  p('SELECT * FROM users WHERE user_id = $1', ['999999999'], false),
  p('SELECT u.name, o.amount FROM users u JOIN orders o USING (user_id) WHERE user_id = $1 ORDER BY o.amount, o.order_id', ['1']),
  p('SELECT count(*) FROM orders WHERE user_id = $1 AND status = $2', ['2', 'paid']),
  p('SELECT * FROM orders WHERE note = $1', ['rush ✈'], false),
  p('SELECT user_id FROM users WHERE name = $1 ORDER BY user_id', ['太郎 3']),
  p('SELECT count(*), sum(amount) FROM orders WHERE placed >= $1', ['2023-06-01']),
  p('SELECT user_id FROM users WHERE active = $1 ORDER BY user_id DESC LIMIT 5', ['true']),
  p('SELECT user_id, name FROM users WHERE user_id = $1 OR name IS NULL ORDER BY user_id', [null]),
  p(`SELECT c.name FROM users u JOIN countries c ON c.code = ${CC} WHERE u.user_id = $1 ORDER BY c.name`, ['-1']),
];
