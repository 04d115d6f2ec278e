import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { readQuery } from './query.js';
import { parseStatementName, readParse } from './parse.js';
import { BindFrame, FormatCode, bindParameter, bindParameterCount, bindParameterFormat, bindStatementName, readBind } from './bind.js';
import { DescribeTarget, readClose, readDescribe } from './describe-close.js';
import { readExecute } from './execute.js';
import { MalformedMessageError } from '../malformed-message.js';
import { MessageWriter } from '../writer.js';

/** Places a frame in the middle of a bigger buffer, as the framer hands frames out. */
function embed(frame: Buffer): [Buffer, number, number] {
  const buf = Buffer.concat([Buffer.from([0x53, 0, 0, 0, 4]), frame, Buffer.from([0x53, 0, 0, 0, 4])]);
  return [buf, 5, 5 + frame.length];
}

describe('Query', () => {
  it('decodes the SQL text, including UTF-8', () => {
    assert.equal(readQuery(...embed(serialize.query("SELECT 'ünïcødé ✓'"))), "SELECT 'ünïcødé ✓'");
  });
  it('rejects trailing bytes and a missing terminator', () => {
    const extra = new MessageWriter().begin(0x51).cstring('SELECT 1').byte(1).end().take();
    assert.throws(() => readQuery(extra, 0, extra.length), /invalid message format/);
    const open = new MessageWriter().begin(0x51).string('SELECT 1').end().take();
    assert.throws(() => readQuery(...embed(open)), /invalid string in message/);
    const early = new MessageWriter().begin(0x51).cstring('SELECT 1').cstring('').end().take();
    assert.throws(() => readQuery(...embed(early)), /invalid message format/);
    const empty = new MessageWriter().begin(0x51).cstring('').end().take();
    assert.equal(readQuery(...embed(empty)), '');
  });
});

describe('Parse', () => {
  it('decodes name, text and parameter type OIDs', () => {
    const frame = serialize.parse({ name: 'get_user', text: 'SELECT * FROM users WHERE id = $1 AND tag = $2', types: [20, 4294967295] });
    assert.deepEqual(readParse(...embed(frame)), {
      statement: 'get_user',
      query: 'SELECT * FROM users WHERE id = $1 AND tag = $2',
      parameterTypes: [20, 4294967295],
    });
    assert.equal(parseStatementName(...embed(frame)), 'get_user');
  });
  it('handles the unnamed statement without types', () => {
    assert.deepEqual(readParse(...embed(serialize.parse({ text: 'SELECT 1' }))), { statement: '', query: 'SELECT 1', parameterTypes: [] });
  });
  it('rejects a type list that runs past the frame', () => {
    const bad = new MessageWriter().begin(0x50).cstring('').cstring('SELECT $1').int16(2).int32(20).end().take();
    assert.throws(() => readParse(...embed(bad)), MalformedMessageError);
  });
});

describe('Bind', () => {
  const int8 = Buffer.from([0, 0, 0, 0, 0, 0, 0x30, 0x39]);
  const bytea = Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef]);
  const frame = serialize.bind({ portal: 'p1', statement: 'get_user', values: [int8, null, 'text value', bytea], binary: true });

  it('decodes portal, statement, formats, values and result formats', () => {
    const m = readBind(...embed(frame));
    assert.equal(m.portal, 'p1');
    assert.equal(m.statement, 'get_user');
    // pg-protocol marks Buffers binary and strings text, one code per parameter.
    assert.deepEqual(m.parameterFormats, [1, 0, 0, 1]);
    assert.equal(m.parameters.length, 4);
    assert.ok(m.parameters[0]?.equals(int8));
    assert.equal(m.parameters[1], null);
    assert.equal(m.parameters[2]?.toString(), 'text value');
    assert.ok(m.parameters[3]?.equals(bytea));
    assert.deepEqual(m.resultFormats, [FormatCode.Binary]);
  });

  it('reads one parameter without decoding the others', () => {
    const f = embed(frame);
    assert.equal(bindStatementName(...f), 'get_user');
    assert.equal(bindParameterCount(...f), 4);
    assert.equal(bindParameter(...f, 0)?.readBigInt64BE(0), 12345n);
    assert.equal(bindParameter(...f, 1), null);
    assert.equal(bindParameter(...f, 2)?.toString(), 'text value');
    assert.ok(bindParameter(...f, 3)?.equals(bytea));
    assert.equal(bindParameter(...f, 4), undefined);
    assert.equal(bindParameter(...f, -1), undefined);
    assert.deepEqual([0, 1, 2, 3].map((i) => bindParameterFormat(...f, i)), [1, 0, 0, 1]);
    // The value is a view of the frame, not a copy.
    assert.equal(bindParameter(...f, 0)?.buffer, f[0].buffer);
  });

  it('applies zero or one format code to every parameter', () => {
    const text = serialize.bind({ values: ['a', 'b'] });
    // pg-protocol always writes one code per value; build the 0- and 1-code forms by hand.
    const none = new MessageWriter().begin(0x42).cstring('').cstring('').int16(0).int16(2)
      .int32(1).string('a').int32(1).string('b').int16(0).end().take();
    const one = new MessageWriter().begin(0x42).cstring('').cstring('').int16(1).int16(1).int16(2)
      .int32(1).string('a').int32(1).string('b').int16(0).end().take();
    assert.deepEqual(readBind(...embed(text)).parameterFormats, [0, 0]);
    assert.equal(bindParameterFormat(...embed(none), 1), FormatCode.Text);
    assert.equal(bindParameterFormat(...embed(one), 1), FormatCode.Binary);
    assert.equal(bindParameter(...embed(one), 1)?.toString(), 'b');
    assert.deepEqual(readBind(...embed(none)).resultFormats, []);
  });

  it('rejects a format count that matches neither 0, 1 nor the parameter count', () => {
    const bad = new MessageWriter().begin(0x42).cstring('').cstring('').int16(2).int16(0).int16(0).int16(3)
      .int32(-1).int32(-1).int32(-1).int16(0).end().take();
    assert.throws(() => readBind(...embed(bad)), /bind message has 2 parameter formats but 3 parameters/);
    assert.throws(() => bindParameter(...embed(bad), 0), /bind message has 2 parameter formats/);
  });

  it('rejects negative lengths other than -1 and values past the frame', () => {
    const neg = new MessageWriter().begin(0x42).cstring('').cstring('').int16(0).int16(1).int32(-2).int16(0).end().take();
    assert.throws(() => readBind(...embed(neg)), /insufficient data left in message/);
    const long = new MessageWriter().begin(0x42).cstring('').cstring('').int16(0).int16(1).int32(100).string('x').end().take();
    assert.throws(() => bindParameter(...embed(long), 0), /insufficient data left in message/);
  });

  it('BindFrame: the same message as readBind, values decoded on demand, the same refusals', () => {
    const none = new MessageWriter().begin(0x42).cstring('p').cstring('s').int16(0).int16(2)
      .int32(1).string('a').int32(-1).int16(0).end().take();
    for (const f of [frame, none, serialize.bind({ values: [] })]) {
      const b = new BindFrame(f);
      const m = readBind(f, 0, f.length);
      assert.deepEqual([b.portal, b.statement, b.parameterFormats, b.parameters, b.resultFormats], [m.portal, m.statement, m.parameterFormats, m.parameters, m.resultFormats]);
      for (let i = 0; i < m.parameters.length; i++) {
        assert.deepEqual(b.parameter(i), m.parameters[i]);
        assert.equal(b.parameterFormat(i), bindParameterFormat(f, 0, f.length, i));
      }
    }
    const bad = [
      new MessageWriter().begin(0x42).cstring('').cstring('').int16(2).int16(0).int16(0).int16(3).int32(-1).int32(-1).int32(-1).int16(0).end().take(),
      new MessageWriter().begin(0x42).cstring('').cstring('').int16(0).int16(1).int32(-2).int16(0).end().take(),
      new MessageWriter().begin(0x42).cstring('').cstring('').int16(0).int16(1).int32(100).string('x').end().take(),
      Buffer.concat([frame.subarray(0, 1), Buffer.from([0, 0, 0, frame.readInt32BE(1) + 1]), frame.subarray(5), Buffer.from([0])]),
    ];
    for (const f of bad) {
      assert.throws(() => readBind(f, 0, f.length), MalformedMessageError);
      assert.throws(() => new BindFrame(f), MalformedMessageError);
    }
  });
});

describe('Describe / Close / Execute', () => {
  it('decode targets and names', () => {
    assert.deepEqual(readDescribe(...embed(serialize.describe({ type: 'S', name: 'stmt' }))), { target: DescribeTarget.Statement, name: 'stmt' });
    assert.deepEqual(readDescribe(...embed(serialize.describe({ type: 'P' }))), { target: DescribeTarget.Portal, name: '' });
    assert.deepEqual(readClose(...embed(serialize.close({ type: 'P', name: 'c1' }))), { target: DescribeTarget.Portal, name: 'c1' });
    assert.deepEqual(readExecute(...embed(serialize.execute({ portal: 'c1', rows: 50 }))), { portal: 'c1', maxRows: 50 });
    assert.deepEqual(readExecute(...embed(serialize.execute())), { portal: '', maxRows: 0 });
  });
  it('reject an unknown subtype as PostgreSQL does', () => {
    const bad = new MessageWriter().begin(0x44).byte(0x58).cstring('x').end().take();
    assert.throws(() => readDescribe(...embed(bad)), /invalid DESCRIBE message subtype 88/);
    bad[0] = 0x43;
    assert.throws(() => readClose(...embed(bad)), /invalid CLOSE message subtype 88/);
  });
});
