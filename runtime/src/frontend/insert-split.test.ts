import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { insertOf, insertRows, renumberParams } from './insert-split.js';

describe('insertRows', () => {
  it('cuts VALUES into its rows, keeping the text around them', () => {
    const r = insertRows("INSERT INTO t (a, b) VALUES (1, 'x'), (2, f(3, 4)) , (3,'y') RETURNING a")!;
    assert.equal(r.prefix, 'INSERT INTO t (a, b) VALUES ');
    assert.deepEqual(r.rows, ["(1, 'x')", '(2, f(3, 4))', "(3,'y')"]);
    assert.equal(r.suffix, ' RETURNING a');
    assert.equal(insertOf(r, [0, 2]), "INSERT INTO t (a, b) VALUES (1, 'x'), (3,'y') RETURNING a");
  });

  it('ignores parentheses, commas and VALUES inside strings, identifiers, dollar quotes and comments', () => {
    const sql = `insert into "values(" (a, b) values ('(,)', 'it''s ('), /* (9) */ (E'\\' ), (', $$ ) $$), ("x", -- )\n 2) on conflict do nothing;`;
    const r = insertRows(sql)!;
    assert.deepEqual(r.rows, ["('(,)', 'it''s (')", "(E'\\' ), (', $$ ) $$)", '("x", -- )\n 2)']);
    assert.equal(r.prefix, 'insert into "values(" (a, b) values ');
    assert.equal(r.suffix, ' on conflict do nothing;');
  });

  it('null for an INSERT without VALUES rows', () => {
    assert.equal(insertRows('INSERT INTO t SELECT * FROM u'), null);
    assert.equal(insertRows('INSERT INTO t DEFAULT VALUES'), null);
  });
});

describe('renumberParams', () => {
  it('numbers parameters from $1 in order of first use; repeats keep their new number', () => {
    assert.deepEqual(renumberParams('INSERT INTO t (a, b) VALUES ($4, $5), ($7, $4) RETURNING $9'), { text: 'INSERT INTO t (a, b) VALUES ($1, $2), ($3, $1) RETURNING $4', order: [4, 5, 7, 9] });
  });

  it('leaves $ inside strings, quoted names, dollar quotes and comments alone', () => {
    const sql = `INSERT INTO t VALUES ($3, '$1', E'\\'$2', "$4", $x$ $5 $x$, $$ $6 $$) -- $7\n RETURNING a$1, $8 /* $9 */`;
    const r = renumberParams(sql);
    assert.deepEqual(r.order, [3, 8]);
    assert.equal(r.text, `INSERT INTO t VALUES ($1, '$1', E'\\'$2', "$4", $x$ $5 $x$, $$ $6 $$) -- $7\n RETURNING a$1, $2 /* $9 */`);
  });
});
