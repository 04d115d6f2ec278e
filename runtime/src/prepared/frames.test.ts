import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { renameBind, renameBindTo } from './frames.js';

test('renameBindTo splices the name bytes exactly where renameBind writes the name, whatever the lengths', () => {
  const binds = [
    serialize.bind({ portal: '', statement: 's', values: [] }),
    serialize.bind({ portal: 'p1', statement: 'a_much_longer_client_statement_name', values: ['1', null, 'x'.repeat(300)] }),
    serialize.bind({ portal: 'cursor', statement: '', values: ['42'] }),
  ];
  for (const b of binds) {
    // pg-protocol writes into a shared buffer: work on a copy placed at an offset, as a read chunk would.
    const chunk = Buffer.concat([Buffer.from('junk'), b, Buffer.from('more')]);
    const start = 4;
    const end = start + b.length;
    const portalEnd = chunk.indexOf(0, start + 5);
    const nameStart = portalEnd + 1;
    const nameEnd = chunk.indexOf(0, nameStart);
    for (const name of ['', '__pgdog_1', '__pgdog_123456789', 'ü-named']) {
      const expected = renameBind(chunk, start, end, nameStart, nameEnd, name);
      const got = renameBindTo(chunk, start, end, nameStart, nameEnd, Buffer.from(`${name}\0`, 'utf8'));
      assert.deepEqual(got, expected, `${b.length} bytes renamed to "${name}"`);
      assert.equal(got.readInt32BE(1), got.length - 1);
    }
  }
});
