import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import {
  PROTOCOL_VERSION_3_0,
  StartupPacketKind,
  negotiateProtocol,
  readCancelRequest,
  readStartupMessage,
  startupPacketKind,
} from './startup.js';
import { StartupRequestCode } from '../codes.js';
import { MessageWriter } from '../writer.js';
import { MalformedMessageError } from '../malformed-message.js';

function packet(version: number, pairs: [string, string][], terminate = true): Buffer {
  const w = new MessageWriter();
  w.beginUntyped().int32(version);
  for (const [k, v] of pairs) w.cstring(k).cstring(v);
  if (terminate) w.byte(0);
  return w.end().take();
}

describe('StartupMessage', () => {
  it('decodes what pg-protocol (node-postgres) sends', () => {
    const b = serialize.startup({ user: 'alice', database: 'shop', application_name: 'app', options: '-c search_path=s1', replication: 'database' });
    assert.equal(startupPacketKind(b.readInt32BE(4)), StartupPacketKind.StartupMessage);
    const m = readStartupMessage(b, 0, b.length);
    assert.equal(m.protocolVersion, PROTOCOL_VERSION_3_0);
    assert.equal(m.user, 'alice');
    assert.equal(m.database, 'shop');
    assert.equal(m.applicationName, 'app');
    assert.equal(m.options, '-c search_path=s1');
    assert.equal(m.replication, 'database');
    assert.deepEqual([...m.parameters.keys()], ['user', 'database', 'application_name', 'options', 'replication', 'client_encoding']);
    assert.equal(m.parameters.get('client_encoding'), 'UTF8');
    assert.equal(m.protocolOptions.size, 0);
  });

  it('defaults the database to the user name and separates _pq_ options', () => {
    const b = packet(PROTOCOL_VERSION_3_0, [['user', 'bob'], ['_pq_.compression', 'on'], ['TimeZone', 'UTC']]);
    const m = readStartupMessage(b, 0, b.length);
    assert.equal(m.database, 'bob');
    assert.deepEqual([...m.parameters], [['user', 'bob'], ['TimeZone', 'UTC']]);
    assert.deepEqual([...m.protocolOptions], [['_pq_.compression', 'on']]);
  });

  it('reports a missing user as undefined for the caller to answer 28000', () => {
    const b = packet(PROTOCOL_VERSION_3_0, [['database', 'x']]);
    assert.equal(readStartupMessage(b, 0, b.length).user, undefined);
  });

  it('rejects a packet whose last byte is not the terminator', () => {
    for (const b of [
      packet(PROTOCOL_VERSION_3_0, [['user', 'bob']], false),
      Buffer.concat([packet(PROTOCOL_VERSION_3_0, [['user', 'bob']]), Buffer.from([0x78])]),
      packet(PROTOCOL_VERSION_3_0, [], false),
    ]) {
      b.writeInt32BE(b.length, 0);
      assert.throws(
        () => readStartupMessage(b, 0, b.length),
        (e: unknown) => e instanceof MalformedMessageError && e.sqlstate === '08P01',
      );
    }
    // A name with no value at all.
    const w = new MessageWriter();
    const b = w.beginUntyped().int32(PROTOCOL_VERSION_3_0).cstring('user').end().take();
    assert.throws(() => readStartupMessage(b, 0, b.length), MalformedMessageError);
  });

  it('decodes within a larger buffer (frame view)', () => {
    const b = serialize.startup({ user: 'carol' });
    const big = Buffer.concat([Buffer.from('xxxx'), b, serialize.query('SELECT 1')]);
    assert.equal(readStartupMessage(big, 4, 4 + b.length).user, 'carol');
  });
});

describe('negotiateProtocol', () => {
  const none = new Map<string, string>();
  it('accepts 3.0 without options', () => {
    assert.deepEqual(negotiateProtocol((3 << 16) | 0, none), { action: 'accept' });
  });
  it('negotiates a newer minor version down to 3.0, as PostgreSQL 15 does', () => {
    assert.deepEqual(negotiateProtocol((3 << 16) | 2, none), { action: 'negotiate', version: PROTOCOL_VERSION_3_0, unrecognizedOptions: [] });
  });
  it('lists unrecognised _pq_ options', () => {
    assert.deepEqual(negotiateProtocol(PROTOCOL_VERSION_3_0, new Map([['_pq_.x', '1']])), {
      action: 'negotiate', version: PROTOCOL_VERSION_3_0, unrecognizedOptions: ['_pq_.x'],
    });
  });
  it('refuses other major versions with 0A000 and PostgreSQL\'s message', () => {
    assert.deepEqual(negotiateProtocol((2 << 16) | 0, none), {
      action: 'reject', sqlstate: '0A000', message: 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0',
    });
    assert.equal(negotiateProtocol((4 << 16) | 0, none).action, 'reject');
  });
});

describe('CancelRequest / SSLRequest / GSSENCRequest', () => {
  it('classifies request codes', () => {
    assert.equal(startupPacketKind(StartupRequestCode.SSLRequest), StartupPacketKind.SSLRequest);
    assert.equal(startupPacketKind(StartupRequestCode.GSSENCRequest), StartupPacketKind.GSSENCRequest);
    assert.equal(startupPacketKind(StartupRequestCode.CancelRequest), StartupPacketKind.CancelRequest);
    assert.equal(startupPacketKind(serialize.requestSsl().readInt32BE(4)), StartupPacketKind.SSLRequest);
  });

  it('decodes a 3.0 CancelRequest into pid and a copied 4-byte secret', () => {
    const b = serialize.cancel(31337, -559038737);
    const c = readCancelRequest(b, 0, b.length);
    assert.equal(c.processId, 31337);
    assert.equal(c.secretKey.readInt32BE(0), -559038737);
    b.fill(0);
    assert.equal(c.secretKey.readInt32BE(0), -559038737, 'copied, survives the frame');
  });

  it('accepts protocol 3.2 secrets up to 256 bytes and rejects bad lengths', () => {
    const long = new MessageWriter().beginUntyped().int32(StartupRequestCode.CancelRequest).int32(7).bytes(Buffer.alloc(32, 9)).end().take();
    assert.equal(readCancelRequest(long, 0, long.length).secretKey.length, 32);
    for (const n of [3, 257]) {
      const bad = new MessageWriter().beginUntyped().int32(StartupRequestCode.CancelRequest).int32(7).bytes(Buffer.alloc(n)).end().take();
      assert.throws(() => readCancelRequest(bad, 0, bad.length), /invalid length of query cancel packet/);
    }
  });
});
