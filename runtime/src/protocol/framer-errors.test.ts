import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { Framer, FramerMode } from './framer.js';
import { frontendLengthLimits, uniformLengthLimits, STARTUP_PACKET_LIMIT } from './length-limits.js';
import { BackendCode, FrontendCode, StartupRequestCode, isKnownFrontendCode } from './codes.js';
import { SqlState } from './sqlstate.js';
import { Recorder, frameAll, fixedChunks } from './testing/chunks.js';

describe('Framer errors', () => {
  function feedAll(chunks: Buffer[], options = {}): { rec: Recorder; error: ReturnType<Framer['feed']> } {
    const rec = new Recorder();
    const framer = new Framer(rec, options);
    let error = null;
    for (const c of chunks) {
      error = framer.feed(c);
      if (error) break;
    }
    return { rec, error };
  }

  function header(code: number, length: number): Buffer {
    const b = Buffer.alloc(5);
    b[0] = code;
    b.writeInt32BE(length, 1);
    return b;
  }

  it('reports a length below 4 as 08P01 "invalid message length"', () => {
    for (const length of [3, 0, -1, -2147483648]) {
      const { error } = feedAll([header(0x44, length)]);
      assert.deepEqual(error, { sqlstate: '08P01', message: 'invalid message length', code: 0x44, length });
    }
  });

  it('reports an oversized length as PostgreSQL does (08P01, not 54000), from the header alone', () => {
    const limits = uniformLengthLimits(1000);
    const { error } = feedAll([header(0x64, 1001)], { lengthLimits: limits });
    assert.equal(error?.sqlstate, SqlState.ProtocolViolation);
    assert.equal(error?.message, 'invalid message length');
    // Header split across chunks: detected as soon as the fifth byte arrives.
    const split = feedAll([header(0x64, 1001).subarray(0, 2), header(0x64, 1001).subarray(2)], { lengthLimits: limits });
    assert.equal(split.error?.message, 'invalid message length');
    // Exactly at the limit is fine.
    const ok = feedAll([Buffer.concat([header(0x64, 1000), Buffer.alloc(996)])], { lengthLimits: limits });
    assert.equal(ok.error, null);
    assert.equal(ok.rec.frames.length, 1);
  });

  it('applies PostgreSQL small-message limits to Sync and friends on the client side', () => {
    const limits = frontendLengthLimits();
    assert.equal(feedAll([header(FrontendCode.Sync, 10001)], { lengthLimits: limits }).error?.message, 'invalid message length');
    assert.equal(feedAll([header(FrontendCode.PasswordMessage, 65536)], { lengthLimits: limits }).error?.message, 'invalid message length');
    assert.equal(feedAll([header(FrontendCode.Query, 10_000_000)], { lengthLimits: limits }).error, null);
  });

  it('dispatches the frames before the fault, then stays failed', () => {
    const rec = new Recorder();
    const framer = new Framer(rec);
    const error = framer.feed(Buffer.concat([serialize.sync(), header(0x51, 2), serialize.sync()]));
    assert.equal(rec.frames.length, 1);
    assert.equal(rec.runs.length, 1);
    assert.ok(error);
    assert.equal(framer.feed(serialize.sync()), error, 'same error again');
    assert.equal(rec.frames.length, 1, 'nothing more dispatched');
    assert.equal(framer.framingError, error);
  });

  it('reports bad startup packet lengths as "invalid length of startup packet"', () => {
    const tooShort = Buffer.alloc(8);
    tooShort.writeInt32BE(7, 0);
    const tooLong = Buffer.alloc(8);
    tooLong.writeInt32BE(STARTUP_PACKET_LIMIT + 1, 0);
    for (const packet of [tooShort, tooLong]) {
      const { error } = feedAll([packet], { mode: FramerMode.Startup });
      assert.equal(error?.message, 'invalid length of startup packet');
      assert.equal(error?.sqlstate, '08P01');
      assert.equal(error?.code, -1);
    }
  });

  it('treats a second StartupMessage in typed mode as an unknown message type', () => {
    const startup = serialize.startup({ user: 'alice' });
    // Client side: code 0 is forbidden outright, as PostgreSQL does ("invalid frontend message type 0").
    const strict = feedAll([startup], { lengthLimits: frontendLengthLimits() });
    assert.equal(strict.error?.message, 'invalid frontend message type 0');
    assert.equal(strict.error?.sqlstate, '08P01');
    // Uniform limits: a frame with code 0 reaches the caller, who must reject it.
    // Read as typed, its first byte (0) is the code and bytes 1-4 an absurd but legal length.
    const lax = feedAll([startup, Buffer.alloc(1 + startup.readInt32BE(1) - startup.length)]);
    assert.equal(lax.error, null);
    assert.equal(lax.rec.frames[0].code, 0);
    assert.equal(isKnownFrontendCode(lax.rec.frames[0].code), false);
  });
});

describe('Framer startup phase', () => {
  const ssl = serialize.requestSsl();
  const gss = Buffer.alloc(8);
  gss.writeInt32BE(8, 0);
  gss.writeInt32BE(StartupRequestCode.GSSENCRequest, 4);
  const startup = serialize.startup({ user: 'bob', database: 'db' });

  it('stays untyped after SSLRequest / GSSENCRequest and turns typed after StartupMessage', () => {
    const modes: FramerMode[] = [];
    const rec = new Recorder();
    const framer = new Framer(rec, { mode: FramerMode.Startup });
    rec.onEach = () => modes.push(framer.currentMode);
    const stream = Buffer.concat([gss, ssl, startup, serialize.query('SELECT 1')]);
    for (const chunk of fixedChunks(stream, 3)) assert.equal(framer.feed(chunk), null);
    assert.deepEqual(
      rec.frames.map((f) => [f.kind, f.code]),
      [
        ['startup', StartupRequestCode.GSSENCRequest],
        ['startup', StartupRequestCode.SSLRequest],
        ['startup', StartupRequestCode.ProtocolVersion3],
        ['message', FrontendCode.Query],
      ],
    );
    assert.deepEqual(modes, [FramerMode.Startup, FramerMode.Startup, FramerMode.Typed, FramerMode.Typed]);
  });

  it('lets the handler see bytes that follow an SSLRequest (plaintext injection)', () => {
    const pending: number[] = [];
    const rec = new Recorder();
    const framer = new Framer(rec, { mode: FramerMode.Startup });
    rec.onEach = () => pending.push(framer.pendingBytes());
    framer.feed(ssl);
    framer.feed(Buffer.concat([ssl, startup]));
    // Partial-frame path: the SSLRequest completes from a chunk that carries more bytes.
    const again = new Framer(rec, { mode: FramerMode.Startup });
    rec.onEach = () => pending.push(again.pendingBytes());
    again.feed(ssl.subarray(0, 5));
    again.feed(Buffer.concat([ssl.subarray(5), Buffer.from('junk')]));
    assert.deepEqual(pending, [0, startup.length, 0, 4]);
  });

  it('frames a CancelRequest', () => {
    const rec = frameAll([serialize.cancel(1234, 5678)], FramerMode.Startup);
    assert.equal(rec.frames[0].code, StartupRequestCode.CancelRequest);
    assert.equal(rec.frames[0].bytes.length, 16);
  });
});

describe('one letter, two meanings', () => {
  it('D, S, E and C carry the same byte in both directions', () => {
    assert.equal(FrontendCode.Describe, BackendCode.DataRow);
    assert.equal(FrontendCode.Sync, BackendCode.ParameterStatus);
    assert.equal(FrontendCode.Execute, BackendCode.ErrorResponse);
    assert.equal(FrontendCode.Close, BackendCode.CommandComplete);
    // 'H' is Flush from a client and CopyOutResponse from a server.
    assert.equal(FrontendCode.Flush, BackendCode.CopyOutResponse);
  });
});
