import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { columnsKey, columnsOf, columnsQuery, copyColumns, TableColumnCache } from './table-columns.js';

describe('table columns', () => {
  it('quotes the table name as parsed (case and quotes kept) inside a string literal', () => {
    assert.match(columnsQuery({ schema: null, name: 'Events' }), /to_regclass\('"Events"'\)/);
    assert.match(columnsQuery({ schema: 'o\'k', name: 'a"b' }), /to_regclass\('"o''k"\."a""b"'\)/);
  });

  it('reads rows in order; COPY leaves generated columns out, INSERT keeps them', () => {
    const cols = columnsOf([['id', 'f'], ['total', 't'], ['tenant', 'f']])!;
    assert.deepEqual(copyColumns(cols), ['id', 'tenant']);
    assert.equal(columnsOf([]), null);
    const cache = new TableColumnCache();
    assert.equal(cache.routeColumns(), undefined);
    cache.set({ schema: 'billing', name: 'orders' }, cols);
    assert.equal(columnsKey({ schema: 'billing', name: 'orders' }), 'billing.orders');
    assert.deepEqual(cache.routeColumns()?.get('billing.orders'), ['id', 'total', 'tenant']);
    assert.deepEqual(cache.get({ schema: 'billing', name: 'orders' }), cols);
  });
});
