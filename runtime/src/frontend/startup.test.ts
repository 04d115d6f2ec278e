import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideStartupPacket, type StartupContext } from './startup.js';

const PLAIN: StartupContext = { tlsAvailable: false, tlsActive: false, tlsRequired: false, pendingBytes: 0 };

function packet(code: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(8 + body.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(code, 4);
  body.copy(b, 8);
  return b;
}

function startup(params: Record<string, string>, version = 196608): Buffer {
  return packet(version, Buffer.from(Object.entries(params).map(([k, v]) => `${k}\0${v}\0`).join('') + '\0'));
}

function decide(b: Buffer, ctx: Partial<StartupContext> = {}) {
  return decideStartupPacket(b.readInt32BE(4), b, 0, b.length, { ...PLAIN, ...ctx });
}

describe('decideStartupPacket', () => {
  it('SSLRequest: S with a certificate, N without, refused with plaintext queued or on TLS already', () => {
    const ssl = packet(80877103);
    assert.deepEqual(decide(ssl, { tlsAvailable: true }), { kind: 'ssl', accept: true });
    assert.deepEqual(decide(ssl), { kind: 'ssl', accept: false });
    const injected = decide(ssl, { tlsAvailable: true, pendingBytes: 10 });
    assert.equal(injected.kind, 'fatal');
    assert.equal(injected.kind === 'fatal' && injected.sqlstate, '08P01');
    assert.equal(decide(ssl, { tlsAvailable: true, tlsActive: true }).kind, 'fatal');
  });

  it('GSSENCRequest is declined so the client carries on', () => {
    assert.deepEqual(decide(packet(80877104)), { kind: 'gssenc' });
  });

  it('CancelRequest: process id and a copy of the secret; a short one is dropped silently', () => {
    const body = Buffer.from([0, 0, 0, 42, 1, 2, 3, 4]);
    const b = packet(80877102, body);
    const d = decide(b);
    assert.equal(d.kind, 'cancel');
    if (d.kind !== 'cancel') return;
    assert.equal(d.processId, 42);
    assert.deepEqual([...d.secretKey], [1, 2, 3, 4]);
    b[b.length - 1] = 9;
    assert.deepEqual([...d.secretKey], [1, 2, 3, 4], 'the secret outlives the frame');
    assert.deepEqual(decide(packet(80877102, Buffer.from([0, 0, 0, 42]))), { kind: 'drop' });
  });

  it('StartupMessage: user and database (defaulting to the user), protocol negotiation', () => {
    const d = decide(startup({ user: 'alice', application_name: 'app' }));
    assert.equal(d.kind, 'login');
    if (d.kind !== 'login') return;
    assert.equal(d.user, 'alice');
    assert.equal(d.database, 'alice');
    assert.equal(d.startup.applicationName, 'app');
    assert.equal(d.negotiate, null);
    const newer = decide(startup({ user: 'alice', database: 'db', _pq_option: 'x' }, (3 << 16) | 2));
    assert.equal(newer.kind === 'login' && newer.database, 'db');
    assert.deepEqual(newer.kind === 'login' && newer.negotiate, { version: 196608, unrecognizedOptions: [] });
  });

  it('refuses with PostgreSQL SQLSTATEs: no user, protocol 2, bad layout, replication, plain when TLS is required', () => {
    const cases: [Buffer, Partial<StartupContext>, string][] = [
      [startup({ database: 'db' }), {}, '28000'],
      [startup({ user: 'alice' }, 2 << 16), {}, '0A000'],
      [packet(196608, Buffer.from('user\0alice')), {}, '08P01'],
      [startup({ user: 'alice', replication: 'database' }), {}, '0A000'],
      [startup({ user: 'alice' }), { tlsAvailable: true, tlsRequired: true }, '28000'],
    ];
    for (const [b, ctx, sqlstate] of cases) {
      const d = decide(b, ctx);
      assert.equal(d.kind, 'fatal');
      assert.equal(d.kind === 'fatal' && d.sqlstate, sqlstate);
    }
    assert.equal(decide(startup({ user: 'alice', replication: 'off' })).kind, 'login');
    assert.equal(decide(startup({ user: 'alice' }), { tlsAvailable: true, tlsRequired: true, tlsActive: true }).kind, 'login');
  });
});
