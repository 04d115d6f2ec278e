// Table-driven tests of analyze(): one row per construct. Keys, tables and key formulas are
// compared in a compact text form so each row reads like the query it checks:
//   key   `users.id=int:5`, `?.id=$1::int8`, `t.id=int:1@0/0` (INSERT row 0, position 0)
//   expr  `#0`, `and(#0,or(#1,#2))`, `all`
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSqlParser } from './parser.js';
import { analyze } from './analyze.js';
import type { KeyCandidate, KeyExpr, QueryAnalysis, StatementAnalysis, TableName } from './types.js';

await loadSqlParser();

function tableText(t: TableName | null): string {
  if (t === null) return '?';
  return t.schema === null ? t.name : `${t.schema}.${t.name}`;
}

function keyText(k: KeyCandidate): string {
  const v = k.value;
  const value = v.kind === 'literal' ? `${v.type}:${v.text}` : v.kind === 'param' ? `$${v.index}` : `any($${v.index})`;
  const cast = k.cast === null ? '' : `::${k.cast}`;
  const row = k.row === null ? '' : `@${k.row}/${k.position}`;
  return `${tableText(k.table)}.${k.column ?? '?'}=${value}${cast}${row}`;
}

function exprText(e: KeyExpr): string {
  switch (e.op) {
    case 'all': return 'all';
    case 'key': return `#${e.key}`;
    default: return `${e.op}(${e.args.map(exprText).join(',')})`;
  }
}

interface Case {
  sql: string;
  kind?: StatementAnalysis['kind'];
  write?: boolean;
  tables?: string[];
  keys?: string[];
  expr?: string;
  locking?: StatementAnalysis['locking'];
  calls?: string[];
  /** Extra assertions on the first statement / whole result. */
  check?: (s: StatementAnalysis, a: Extract<QueryAnalysis, { ok: true }>) => void;
}

const cases: Case[] = [
  // --- statement kinds and read/write
  { sql: 'SELECT 1', kind: 'select', write: false, tables: [], keys: [], expr: 'all' },
  { sql: 'SELECT * FROM users', kind: 'select', write: false, tables: ['users'], expr: 'all' },
  { sql: 'VALUES (1), (2)', kind: 'select', write: false, tables: [] },
  { sql: 'TABLE users', kind: 'select', tables: ['users'] },
  { sql: 'INSERT INTO t DEFAULT VALUES', kind: 'insert', write: true, tables: ['t'], expr: 'all' },
  { sql: 'UPDATE t SET a = 1', kind: 'update', write: true, expr: 'all', check: (s) => assert.deepEqual(s.assigned, ['a']) },
  { sql: 'DELETE FROM t', kind: 'delete', write: true, tables: ['t'] },
  { sql: 'CREATE TABLE s.t (id bigint primary key)', kind: 'ddl', write: true, tables: ['s.t'] },
  { sql: 'ALTER TABLE t ADD COLUMN x int', kind: 'ddl', tables: ['t'] },
  { sql: 'DROP TABLE a, s.b', kind: 'ddl', tables: ['a', 's.b'] },
  { sql: 'TRUNCATE x, y', kind: 'ddl', tables: ['x', 'y'] },
  { sql: 'CREATE INDEX i ON t (a)', kind: 'ddl', tables: ['t'] },
  { sql: 'CREATE TABLE n AS SELECT * FROM o WHERE id = 1', kind: 'ddl', tables: ['o', 'n'], keys: [], expr: 'all' },
  { sql: 'CREATE VIEW v AS SELECT * FROM o', kind: 'ddl', tables: ['v', 'o'] },
  { sql: 'GRANT SELECT ON t TO bob', kind: 'ddl' },
  { sql: 'SHOW search_path', kind: 'other', write: false, check: (s) => assert.equal(s.show, 'search_path') },
  { sql: 'DISCARD ALL', kind: 'other', write: true, check: (s) => assert.equal(s.node, 'DiscardStmt') },
  { sql: 'VACUUM t', kind: 'other', tables: ['t'] },
  { sql: 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE', kind: 'other', tables: ['t'] },
  { sql: 'CALL do_it(1)', kind: 'other', write: true, calls: ['do_it'] },
  { sql: 'PREPARE p AS SELECT * FROM t WHERE id = $1', kind: 'other', tables: ['t'], keys: [] },
  { sql: 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = 1', kind: 'other', write: true, tables: ['t', 's'], expr: 'all', check: (s) => assert.deepEqual(s.assigned, ['a']) },
  { sql: 'EXPLAIN SELECT * FROM t WHERE id = 1', kind: 'select', write: false, tables: ['t'], keys: ['t.id=int:1'], check: (s) => { assert.equal(s.explain, true); assert.equal(s.node, 'ExplainStmt'); } },
  { sql: 'EXPLAIN ANALYZE DELETE FROM t WHERE id = 2', kind: 'delete', write: true, keys: ['t.id=int:2'], expr: '#0' },

  // --- write markers on SELECT
  { sql: 'SELECT * FROM t WHERE id = 1 FOR UPDATE', write: true, locking: 'update' },
  { sql: 'SELECT * FROM t FOR NO KEY UPDATE', write: true, locking: 'no_key_update' },
  { sql: 'SELECT * FROM t FOR SHARE', write: true, locking: 'share' },
  { sql: 'SELECT * FROM t FOR KEY SHARE SKIP LOCKED', write: true, locking: 'key_share' },
  { sql: 'SELECT * FROM a FOR KEY SHARE OF a FOR UPDATE OF a', locking: 'update' },
  { sql: 'SELECT * FROM (SELECT * FROM t FOR UPDATE) s', write: true, locking: 'update' },
  { sql: "SELECT nextval('seq')", write: true, calls: ['nextval'] },
  { sql: "SELECT setval('seq', 5)", write: true, calls: ['setval'] },
  { sql: 'SELECT pg_advisory_lock(1)', write: true },
  { sql: 'SELECT pg_try_advisory_xact_lock_shared(1, 2)', write: true },
  { sql: 'SELECT pg_catalog.pg_advisory_unlock_all()', write: true, calls: ['pg_catalog.pg_advisory_unlock_all'] },
  { sql: 'SELECT now(), lower(name) FROM t', write: false, calls: ['now', 'lower'] },
  { sql: 'SELECT count(*) FROM t WHERE x = (SELECT max(y) FROM u)', calls: ['max', 'count'], tables: ['t', 'u'] },
  { sql: 'SELECT * INTO newt FROM t', write: true, tables: ['t', 'newt'], check: (s) => assert.deepEqual(s.into, { schema: null, name: 'newt' }) },
  { sql: 'WITH d AS (DELETE FROM t WHERE id = 1 RETURNING *) SELECT * FROM d', kind: 'select', write: true, tables: ['t'], keys: ['t.id=int:1'], expr: '#0' },
  { sql: 'WITH c AS (SELECT * FROM t) SELECT * FROM c', write: false, tables: ['t'] },

  // --- tables, aliases, CTEs
  { sql: 'SELECT * FROM s.t a JOIN u b ON a.id = b.id', tables: ['s.t', 'u'] },
  { sql: 'SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.tid = t.id)', tables: ['t', 'u'] },
  { sql: 'WITH t AS (SELECT * FROM t) SELECT * FROM t', tables: ['t'] },
  { sql: 'WITH x AS (SELECT 1), y AS (SELECT * FROM x) SELECT * FROM y, z', tables: ['z'] },
  { sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r', tables: [] },
  { sql: 'SELECT * FROM a UNION SELECT * FROM b', tables: ['a', 'b'] },
  { sql: 'SELECT * FROM generate_series(1, 3) g', tables: [], calls: ['generate_series'] },
  { sql: 'SELECT * FROM "My Table" WHERE "Id" = 3', tables: ['My Table'], keys: ['My Table.Id=int:3'] },
  { sql: 'SELECT * FROM t TABLESAMPLE system (10) WHERE id = 1', tables: ['t'], keys: ['t.id=int:1'] },

  // --- keys: basic forms
  { sql: 'SELECT * FROM users WHERE id = 5', keys: ['users.id=int:5'], expr: '#0' },
  { sql: 'SELECT * FROM users WHERE 5 = id', keys: ['users.id=int:5'], expr: '#0' },
  { sql: 'SELECT * FROM users u WHERE u.id = $1', keys: ['users.id=$1'], expr: '#0' },
  { sql: 'SELECT * FROM public.users WHERE public.users.id = 7', keys: ['public.users.id=int:7'] },
  { sql: 'SELECT * FROM users WHERE id IS NOT DISTINCT FROM 9', keys: ['users.id=int:9'], expr: '#0' },
  { sql: 'SELECT * FROM users WHERE id IN (1, 2, 3)', keys: ['users.id=int:1', 'users.id=int:2', 'users.id=int:3'], expr: 'or(#0,#1,#2)' },
  { sql: 'SELECT * FROM users WHERE id IN ($1, $2)', keys: ['users.id=$1', 'users.id=$2'], expr: 'or(#0,#1)' },
  { sql: 'SELECT * FROM users WHERE id IN (NULL, 4)', keys: ['users.id=int:4'], expr: '#0' },
  { sql: 'SELECT * FROM users WHERE id = ANY($1)', keys: ['users.id=any($1)'], expr: '#0' },
  { sql: 'SELECT * FROM users WHERE id = ANY($1::bigint[])', keys: ['users.id=any($1)::int8[]'] },
  { sql: 'SELECT * FROM users WHERE id = ANY(ARRAY[1, 2])', keys: ['users.id=int:1', 'users.id=int:2'], expr: 'or(#0,#1)' },
  { sql: 'SELECT * FROM users WHERE id = $1::bigint', keys: ['users.id=$1::int8'] },
  { sql: "SELECT * FROM t WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", keys: ['t.id=string:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11::uuid'] },
  { sql: "SELECT * FROM t WHERE id = CAST('7' AS bigint)", keys: ['t.id=string:7::int8'] },
  { sql: "SELECT * FROM t WHERE name = 'it''s'", keys: ["t.name=string:it's"] },
  { sql: "SELECT * FROM t WHERE name = E'a\\nb'", keys: ['t.name=string:a\nb'] },
  { sql: "SELECT * FROM t WHERE name = U&'d\\0061t'", keys: ['t.name=string:dat'] },
  { sql: 'SELECT * FROM t WHERE name = $tag$x$y$tag$', keys: ['t.name=string:x$y'] },
  { sql: "SELECT * FROM t WHERE name = ''", keys: ['t.name=string:'] },
  { sql: "SELECT * FROM t WHERE b = B'101'", keys: ['t.b=bitstring:b101'] },
  { sql: 'SELECT * FROM t WHERE flag = true', keys: ['t.flag=bool:true'] },
  { sql: 'SELECT * FROM t WHERE flag = false', keys: ['t.flag=bool:false'] },
  { sql: 'SELECT * FROM t WHERE price = 1.50', keys: ['t.price=numeric:1.50'] },
  { sql: 'SELECT * FROM t WHERE x = 1e3', keys: ['t.x=numeric:1e3'] },

  // --- gotchas: zero, negatives, big integers, radix literals, UTF-8 before a literal
  { sql: 'SELECT * FROM t WHERE id = 0', keys: ['t.id=int:0'] },
  { sql: 'SELECT * FROM t WHERE id = -0', keys: ['t.id=int:0'] },
  { sql: 'SELECT * FROM t WHERE id = -7', keys: ['t.id=int:-7'] },
  { sql: 'SELECT * FROM t WHERE id = - 7', keys: ['t.id=int:-7'] },
  { sql: 'SELECT * FROM t WHERE id = -1.5', keys: ['t.id=numeric:-1.5'] },
  { sql: 'SELECT * FROM t WHERE id = 12345678901', keys: ['t.id=int:12345678901'] },
  { sql: 'SELECT * FROM t WHERE id = -12345678901', keys: ['t.id=int:-12345678901'] },
  { sql: 'SELECT * FROM t WHERE id = 2147483648', keys: ['t.id=int:2147483648'] },
  { sql: 'SELECT * FROM t WHERE id = -2147483648', keys: ['t.id=int:-2147483648'] },
  { sql: 'SELECT * FROM t WHERE id = 9223372036854775807', keys: ['t.id=int:9223372036854775807'] },
  { sql: 'SELECT * FROM t WHERE id = -9223372036854775808', keys: ['t.id=int:-9223372036854775808'] },
  { sql: 'SELECT * FROM t WHERE id = 9223372036854775808', keys: ['t.id=numeric:9223372036854775808'] },
  { sql: 'SELECT * FROM t WHERE id = 0x1F', keys: ['t.id=int:31'] },
  { sql: 'SELECT * FROM t WHERE id = 0xFFFFFFFFFF', keys: ['t.id=int:1099511627775'] },
  { sql: 'SELECT * FROM t WHERE id = 1_000_000', keys: ['t.id=int:1000000'] },
  { sql: 'SELECT * FROM t WHERE id = 007', keys: ['t.id=int:7'] },
  {
    sql: "SELECT 'ééé😀' AS x FROM t WHERE id = 42 AND name = 'ü'",
    keys: ['t.id=int:42', 't.name=string:ü'],
    check: (s) => {
      const q = "SELECT 'ééé😀' AS x FROM t WHERE id = 42 AND name = 'ü'";
      const [id, name] = s.keys;
      assert.equal(id!.value.kind === 'literal' && id!.value.offset, q.indexOf('42'));
      assert.equal(name!.value.kind === 'literal' && name!.value.offset, q.indexOf("'ü'"));
    },
  },
  { sql: 'SELECT * FROM t WHERE id = 5', check: (s) => assert.equal(s.keys[0]!.value.kind === 'literal' && s.keys[0]!.value.offset, 27) },
  { sql: 'SELECT * FROM t WHERE id = -5', check: (s) => assert.equal(s.keys[0]!.value.kind === 'literal' && s.keys[0]!.value.offset, 27) },
  { sql: 'SELECT * FROM t WHERE flag = true', check: (s) => assert.equal(s.keys[0]!.value.kind === 'literal' && s.keys[0]!.value.offset, null) },

  // --- AND / OR / NOT / non-equality
  { sql: 'SELECT * FROM t WHERE id = 1 AND x = 2', keys: ['t.id=int:1', 't.x=int:2'], expr: 'and(#0,#1)' },
  { sql: 'SELECT * FROM t WHERE id = 1 OR id = 2', expr: 'or(#0,#1)' },
  { sql: 'SELECT * FROM t WHERE id = 1 OR name LIKE $1', keys: ['t.id=int:1'], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE (id = 1 OR id = 2) AND active', expr: 'or(#0,#1)' },
  { sql: 'SELECT * FROM t WHERE (a = 1 AND b = 2) OR (a = 3 AND c = 4)', expr: 'or(and(#0,#1),and(#2,#3))' },
  { sql: 'SELECT * FROM t WHERE NOT (id = 1)', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id <> 1', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id > 1 AND id < 5', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id BETWEEN 1 AND 5', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id NOT IN (1, 2)', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id = NULL', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id = a.b', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id = +1', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE lower(name) = $1', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM t WHERE id IN (1, x)', keys: [], expr: 'all' },

  // --- column resolution
  { sql: 'SELECT * FROM a, b WHERE id = 1', keys: ['?.id=int:1'] },
  { sql: 'SELECT * FROM a JOIN b ON a.id = b.aid WHERE b.x = 1 AND a.id = 2', keys: ['b.x=int:1', 'a.id=int:2'], expr: 'and(#0,#1)' },
  { sql: 'SELECT * FROM a x JOIN b y USING (id) WHERE y.id = 1', keys: ['b.id=int:1'] },
  { sql: 'SELECT * FROM (SELECT * FROM t) s WHERE s.id = 1', keys: ['?.id=int:1'], expr: '#0' },
  { sql: 'SELECT * FROM t WHERE nosuch.id = 1', keys: ['?.id=int:1'] },
  { sql: 'SELECT * FROM s.t WHERE s.t.id = 1', keys: ['s.t.id=int:1'] },
  { sql: 'SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE id = 3)', keys: ['u.id=int:3'], expr: '#0' },
  { sql: 'SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE t.id = 3)', keys: ['t.id=int:3'] },

  // --- joins, subqueries and CTEs in the key formula
  { sql: 'SELECT * FROM a JOIN b ON b.id = 1', keys: ['b.id=int:1'], expr: '#0' },
  { sql: 'SELECT * FROM a LEFT JOIN b ON b.id = 1', keys: [], expr: 'all' },
  { sql: 'SELECT * FROM a LEFT JOIN b ON true WHERE a.id = 1', expr: '#0' },
  { sql: 'SELECT * FROM t WHERE id IN (SELECT tid FROM u WHERE u.id = 5)', keys: ['u.id=int:5'], expr: '#0' },
  { sql: 'SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.id = 5)', expr: 'all' },
  { sql: 'SELECT (SELECT x FROM u WHERE u.id = 5) FROM t', keys: ['u.id=int:5'], expr: 'all' },
  { sql: 'SELECT * FROM (SELECT * FROM t WHERE id = 1) s', keys: ['t.id=int:1'], expr: '#0' },
  { sql: 'WITH c AS (SELECT * FROM t WHERE id = 1) SELECT * FROM c', keys: ['t.id=int:1'], expr: '#0' },
  { sql: 'WITH c AS (SELECT * FROM t WHERE id = 1) SELECT * FROM u LEFT JOIN c ON true', expr: 'all' },
  { sql: 'SELECT * FROM a WHERE id = 1 UNION ALL SELECT * FROM b WHERE id = 2', expr: 'or(#0,#1)' },
  { sql: 'SELECT * FROM a WHERE id = 1 UNION ALL SELECT * FROM b', expr: 'all' },
  { sql: 'SELECT * FROM a WHERE id = 1 INTERSECT SELECT * FROM b WHERE id = 2', expr: 'and(#0,#1)' },
  { sql: 'SELECT * FROM a WHERE id = 1 EXCEPT SELECT * FROM b WHERE id = 2', expr: '#0' },
  { sql: 'WITH d AS (DELETE FROM t WHERE id = 2 RETURNING id) SELECT * FROM t WHERE id = 1', keys: ['t.id=int:2', 't.id=int:1'], expr: 'or(#1,#0)' },

  // --- INSERT
  { sql: 'INSERT INTO t (id, name) VALUES (1, $1)', keys: ['t.id=int:1@0/0', 't.name=$1@0/1'], expr: 'and(#0,#1)', check: (s) => assert.deepEqual(s.insert, { table: { schema: null, name: 't' }, columns: ['id', 'name'], rows: 1, select: false, onConflict: null }) },
  { sql: "INSERT INTO t (id, name) VALUES (1, 'a'), (-2, 'b'), ($1, now())", keys: ['t.id=int:1@0/0', 't.name=string:a@0/1', 't.id=int:-2@1/0', 't.name=string:b@1/1', 't.id=$1@2/0'], expr: 'or(and(#0,#1),and(#2,#3),#4)', calls: ['now'] },
  { sql: 'INSERT INTO t VALUES (1, 2)', keys: ['t.?=int:1@0/0', 't.?=int:2@0/1'], check: (s) => assert.equal(s.insert!.columns, null) },
  { sql: 'INSERT INTO t (id) VALUES (DEFAULT)', keys: [], expr: 'all' },
  { sql: 'INSERT INTO t (id) SELECT id FROM u WHERE u.id = 1', tables: ['t', 'u'], keys: ['u.id=int:1'], expr: 'all', check: (s) => assert.equal(s.insert!.select, true) },
  { sql: "INSERT INTO t (id) VALUES ('x'::uuid) ON CONFLICT (id) DO UPDATE SET n = excluded.n RETURNING *", keys: ['t.id=string:x::uuid@0/0'], check: (s) => { assert.equal(s.insert!.onConflict, 'update'); assert.deepEqual(s.assigned, ['n']); } },
  { sql: 'INSERT INTO t (id) VALUES (1) ON CONFLICT DO NOTHING', check: (s) => assert.equal(s.insert!.onConflict, 'nothing') },
  { sql: 'INSERT INTO s.t AS x (id) VALUES (12345678901)', tables: ['s.t'], keys: ['s.t.id=int:12345678901@0/0'] },

  // --- UPDATE / DELETE
  { sql: 'UPDATE t SET name = $2 WHERE id = $1', keys: ['t.id=$1'], expr: '#0', check: (s) => assert.deepEqual(s.assigned, ['name']) },
  { sql: 'UPDATE t SET id = 5 WHERE id = 4', keys: ['t.id=int:4'], check: (s) => assert.deepEqual(s.assigned, ['id']) },
  { sql: 'UPDATE t x SET a = 1 FROM u WHERE x.id = u.tid AND u.id = 3', tables: ['t', 'u'], keys: ['u.id=int:3'], expr: '#0' },
  { sql: 'DELETE FROM t WHERE id IN (1, 2)', expr: 'or(#0,#1)' },
  { sql: 'DELETE FROM t USING u WHERE t.uid = u.id AND u.id = 1', tables: ['t', 'u'], keys: ['u.id=int:1'] },
  { sql: 'DELETE FROM t WHERE id = 1 OR id > 5', expr: 'all' },

  // --- COPY
  {
    sql: "COPY s.t (a, b) FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, NULL '')",
    kind: 'copy', write: true, tables: ['s.t'],
    check: (s) => assert.deepEqual(s.copy, {
      table: { schema: 's', name: 't' }, columns: ['a', 'b'], direction: 'from', stdio: true, query: false,
      format: 'csv', delimiter: ';', header: true, quote: null, escape: null, null: '',
      options: [{ name: 'format', value: 'csv' }, { name: 'delimiter', value: ';' }, { name: 'header', value: 'true' }, { name: 'null', value: '' }],
    }),
  },
  { sql: 'COPY t FROM STDIN', check: (s) => { assert.equal(s.copy!.columns, null); assert.equal(s.copy!.format, 'text'); assert.equal(s.copy!.header, false); } },
  { sql: "COPY t TO STDOUT CSV HEADER DELIMITER ','", check: (s) => { assert.equal(s.copy!.direction, 'to'); assert.equal(s.copy!.header, true); assert.equal(s.copy!.delimiter, ','); } },
  { sql: 'COPY t (id) FROM STDIN (FORMAT binary)', check: (s) => assert.equal(s.copy!.format, 'binary') },
  { sql: "COPY t FROM '/tmp/x.csv'", check: (s) => assert.equal(s.copy!.stdio, false) },
  { sql: 'COPY (SELECT * FROM t WHERE id = 1) TO STDOUT', kind: 'copy', tables: ['t'], keys: ['t.id=int:1'], expr: '#0', check: (s) => { assert.equal(s.copy!.query, true); assert.equal(s.copy!.table, null); } },

  // --- SET / RESET
  { sql: 'SET pgdog.shard = 1', kind: 'set', write: false, check: (s) => assert.deepEqual(s.set, { action: 'set', name: 'pgdog.shard', values: [{ kind: 'literal', type: 'int', text: '1', offset: 18 }], local: false, hint: 'shard', modes: null }) },
  { sql: "SET LOCAL pgdog.sharding_key TO 'abc'", check: (s) => { assert.equal(s.set!.local, true); assert.equal(s.set!.hint, 'sharding_key'); assert.deepEqual(s.set!.values, [{ kind: 'literal', type: 'string', text: 'abc', offset: 32 }]); } },
  { sql: 'SET pgdog.role TO replica', check: (s) => { assert.equal(s.set!.hint, 'role'); assert.deepEqual(s.set!.values, [{ kind: 'literal', type: 'string', text: 'replica', offset: null }]); } },
  { sql: "SET search_path = a, 'b'", check: (s) => assert.deepEqual(s.set!.values.map((v) => [v.text, v.offset]), [['a', null], ['b', 21]]) },
  { sql: "SET TIME ZONE 'UTC'", check: (s) => { assert.equal(s.set!.name, 'timezone'); assert.equal(s.set!.values[0]!.text, 'UTC'); } },
  { sql: 'SET x = -1.5', check: (s) => assert.deepEqual(s.set!.values, [{ kind: 'literal', type: 'numeric', text: '-1.5', offset: 8 }]) },
  { sql: 'SET statement_timeout TO DEFAULT', check: (s) => { assert.equal(s.set!.action, 'default'); assert.deepEqual(s.set!.values, []); } },
  { sql: 'RESET pgdog.shard', check: (s) => { assert.equal(s.set!.action, 'reset'); assert.equal(s.set!.hint, 'shard'); } },
  { sql: 'RESET ALL', check: (s) => { assert.equal(s.set!.action, 'reset_all'); assert.equal(s.set!.name, null); } },
  { sql: 'SET TRANSACTION READ ONLY', kind: 'set', check: (s) => { assert.equal(s.set!.action, 'transaction'); assert.deepEqual(s.set!.modes, { readOnly: true, isolation: null, deferrable: null }); } },
  { sql: 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', check: (s) => { assert.equal(s.set!.action, 'session_characteristics'); assert.equal(s.set!.modes!.readOnly, false); } },

  // --- transactions
  { sql: 'BEGIN', kind: 'transaction', write: false, check: (s) => assert.deepEqual(s.transaction, { action: 'begin', modes: { readOnly: null, isolation: null, deferrable: null }, chain: false, savepoint: null, gid: null }) },
  { sql: 'BEGIN READ ONLY', check: (s) => assert.equal(s.transaction!.modes.readOnly, true) },
  { sql: 'START TRANSACTION READ ONLY', check: (s) => { assert.equal(s.transaction!.action, 'begin'); assert.equal(s.transaction!.modes.readOnly, true); } },
  { sql: 'START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE, DEFERRABLE', check: (s) => assert.deepEqual(s.transaction!.modes, { readOnly: false, isolation: 'serializable', deferrable: true }) },
  { sql: 'COMMIT', check: (s) => assert.equal(s.transaction!.action, 'commit') },
  { sql: 'END', check: (s) => assert.equal(s.transaction!.action, 'commit') },
  { sql: 'COMMIT AND CHAIN', check: (s) => assert.equal(s.transaction!.chain, true) },
  { sql: 'ROLLBACK', check: (s) => assert.equal(s.transaction!.action, 'rollback') },
  { sql: 'ABORT', check: (s) => assert.equal(s.transaction!.action, 'rollback') },
  { sql: 'SAVEPOINT s1', check: (s) => { assert.equal(s.transaction!.action, 'savepoint'); assert.equal(s.transaction!.savepoint, 's1'); } },
  { sql: 'ROLLBACK TO SAVEPOINT s1', check: (s) => assert.equal(s.transaction!.action, 'rollback_to') },
  { sql: 'RELEASE SAVEPOINT s1', check: (s) => assert.equal(s.transaction!.action, 'release') },
  { sql: "PREPARE TRANSACTION 'g1'", check: (s) => { assert.equal(s.transaction!.action, 'prepare'); assert.equal(s.transaction!.gid, 'g1'); } },
  { sql: "COMMIT PREPARED 'g1'", check: (s) => assert.equal(s.transaction!.action, 'commit_prepared') },

  // --- comment hints and multi-statement strings
  { sql: '/* pgdog_shard: 3 */ SELECT 1', check: (_s, a) => assert.deepEqual(a.hints, { shard: 3, shardingKey: null, role: null }) },
  { sql: 'SELECT 1 -- pgdog_role: replica', check: (_s, a) => assert.equal(a.hints.role, 'replica') },
  { sql: "SELECT '/* pgdog_shard: 3 */'", check: (_s, a) => assert.equal(a.hints.shard, null) },
  {
    sql: 'BEGIN; SET LOCAL pgdog.shard TO 2; SELECT * FROM t WHERE id = 1; COMMIT',
    check: (_s, a) => assert.deepEqual(a.statements.map((s) => s.kind), ['transaction', 'set', 'select', 'transaction']),
  },
  { sql: 'SELECT 1;; SELECT 2;', check: (_s, a) => assert.equal(a.statements.length, 2) },
];

for (const c of cases) {
  test(`analyze: ${c.sql}`, () => {
    const a = analyze(c.sql);
    assert.ok(a.ok, `parse failed: ${a.ok ? '' : a.error.message}`);
    const s = a.statements[0]!;
    if (c.kind !== undefined) assert.equal(s.kind, c.kind);
    if (c.write !== undefined) assert.equal(s.write, c.write, 'write');
    if (c.tables !== undefined) assert.deepEqual(s.tables.map(tableText), c.tables);
    if (c.keys !== undefined) assert.deepEqual(s.keys.map(keyText), c.keys);
    if (c.expr !== undefined) assert.equal(exprText(s.keyExpr), c.expr);
    if (c.locking !== undefined) assert.equal(s.locking, c.locking);
    if (c.calls !== undefined) assert.deepEqual(s.calls, c.calls);
    c.check?.(s, a);
    // Plain data: survives JSON unchanged.
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  });
}

test('analyze: parse errors carry a char position, hints survive', () => {
  const a = analyze("/* pgdog_shard: 1 */ SELECT '😀' FROMM t");
  assert.equal(a.ok, false);
  if (a.ok) return;
  assert.match(a.error.message, /syntax error at or near "t"/);
  assert.equal(a.error.position, "/* pgdog_shard: 1 */ SELECT '😀' FROMM t".lastIndexOf('t'));
  assert.equal(a.hints.shard, 1);
});

test('analyze: empty and comment-only texts have no statements', () => {
  for (const q of ['', '   ', '-- nothing', '/* x */ ;']) {
    const a = analyze(q);
    assert.ok(a.ok);
    assert.deepEqual(a.statements, []);
  }
});

test('analyze: unterminated string is a parse error at the quote', () => {
  const a = analyze("SELECT 'abc");
  assert.equal(a.ok, false);
  if (!a.ok) assert.equal(a.error.position, 7);
});
