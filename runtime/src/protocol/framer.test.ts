import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { Framer, FramerMode } from './framer.js';
import { frontendLengthLimits } from './length-limits.js';
import { FrontendCode, StartupRequestCode, isKnownFrontendCode } from './codes.js';
import { MessageWriter } from './writer.js';
import { writeDataRow } from './backend/data-row.js';
import { writeRowDescription, TypeOid } from './backend/row-description.js';
import { writeCommandComplete } from './backend/command-complete.js';
import { writeErrorResponse } from './backend/error-response.js';
import { writeParameterStatus } from './backend/parameter-status.js';
import { writeBackendKeyData } from './backend/backend-key-data.js';
import { writeAuthenticationOk } from './backend/auth.js';
import { READY_FOR_QUERY_IDLE, PARSE_COMPLETE, BIND_COMPLETE } from './constants.js';
import { SqlState } from './sqlstate.js';
import { Recorder, assertSameFrames, frameAll, fixedChunks, randomChunks, splitAt } from './testing/chunks.js';

/** A client session as pg-protocol writes it: startup, simple and extended queries, COPY, exit. */
function frontendStream(): Buffer {
  const big = Buffer.alloc(100_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  return Buffer.concat([
    serialize.startup({ user: 'alice', database: 'shop', application_name: 'framer-test' }),
    serialize.query('SELECT 1'),
    serialize.parse({ name: 's1', text: 'SELECT $1::int8, $2::bytea, $3::text', types: [20, 17, 25] }),
    serialize.bind({
      statement: 's1',
      portal: 'p1',
      values: [Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]), Buffer.from([0xde, 0xad, 0, 0xbe, 0xef]), null],
      binary: true,
    }),
    serialize.describe({ type: 'P', name: 'p1' }),
    serialize.execute({ portal: 'p1', rows: 10 }),
    serialize.sync(),
    serialize.query('COPY t FROM STDIN'),
    serialize.copyData(big),
    serialize.copyData(Buffer.from('1\tone\n')),
    serialize.copyDone(),
    serialize.query('COPY t FROM STDIN'),
    serialize.copyFail('client gave up'),
    serialize.flush(),
    serialize.close({ type: 'S', name: 's1' }),
    serialize.sync(),
    serialize.end(),
  ]);
}

/** A server reply stream built with our encoders (a login, then a two-row result, then an error). */
function backendStream(): Buffer {
  const w = new MessageWriter();
  writeAuthenticationOk(w);
  writeParameterStatus(w, 'server_version', '15.18');
  writeBackendKeyData(w, 4242, Buffer.from([1, 2, 3, 4]));
  w.frames(READY_FOR_QUERY_IDLE);
  w.frames(PARSE_COMPLETE).frames(BIND_COMPLETE);
  writeRowDescription(w, [{ name: 'id', typeOid: TypeOid.Int8 }, { name: 'name' }]);
  writeDataRow(w, [1, 'one']);
  writeDataRow(w, [2, null]);
  writeCommandComplete(w, 'SELECT 2');
  writeErrorResponse(w, { severity: 'ERROR', sqlstate: SqlState.SyntaxError, message: 'syntax error' });
  w.frames(READY_FOR_QUERY_IDLE);
  return w.take();
}

describe('Framer on a genuine frontend stream', () => {
  const stream = frontendStream();
  const limits = frontendLengthLimits();
  const whole = frameAll([stream], FramerMode.Startup, limits);

  it('cuts the stream into the messages pg-protocol wrote', () => {
    const codes = whole.frames.map((f) => (f.kind === 'startup' ? f.code : String.fromCharCode(f.code)));
    assert.deepEqual(codes, [
      StartupRequestCode.ProtocolVersion3,
      'Q', 'P', 'B', 'D', 'E', 'S', 'Q', 'd', 'd', 'c', 'Q', 'f', 'H', 'C', 'S', 'X',
    ]);
    assert.ok(Buffer.concat(whole.frames.map((f) => f.bytes)).equals(stream), 'frames tile the stream');
    assert.ok(Buffer.concat(whole.runs).equals(stream), 'runs tile the stream');
    assert.equal(whole.runs.length, 1, 'one chunk, one run');
    for (const f of whole.frames) if (f.kind === 'message') assert.ok(isKnownFrontendCode(f.code));
  });

  it('yields the same frames when split at every byte offset', () => {
    for (let k = 1; k < stream.length; k += k < 2000 ? 1 : 97) {
      const rec = frameAll(splitAt(stream, k), FramerMode.Startup, limits);
      assertSameFrames(rec.frames, whole.frames, `split at ${k}`);
      assert.ok(Buffer.concat(rec.runs).equals(stream), `runs at ${k}`);
    }
    // The tail end, where the small messages after the big CopyData sit, offset by offset.
    for (let k = stream.length - 400; k < stream.length; k++) {
      assertSameFrames(frameAll(splitAt(stream, k), FramerMode.Startup, limits).frames, whole.frames, `split at ${k}`);
    }
  });

  it('yields the same frames from 1-byte chunks', () => {
    const rec = frameAll(fixedChunks(stream, 1), FramerMode.Startup, limits);
    assertSameFrames(rec.frames, whole.frames, '1-byte chunks');
    assert.ok(Buffer.concat(rec.runs).equals(stream));
  });

  it('yields the same frames from random chunkings', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rec = frameAll(randomChunks(stream, seed, seed % 2 ? 64 : 70_000), FramerMode.Startup, limits);
      assertSameFrames(rec.frames, whole.frames, `seed ${seed}`);
      assert.ok(Buffer.concat(rec.runs).equals(stream), `runs, seed ${seed}`);
    }
  });
});

describe('Framer with reused chunks', () => {
  /** Feeds `chunks` through one buffer, as a socket reading into the same memory does, scribbling over it after each feed. */
  function frameThroughOneBuffer(chunks: Buffer[], mode: FramerMode, limits?: Int32Array): Recorder {
    const rec = new Recorder();
    const framer = new Framer(rec, { mode, lengthLimits: limits, reusedChunks: true });
    const memory = Buffer.alloc(Math.max(...chunks.map((c) => c.length)));
    for (const chunk of chunks) {
      chunk.copy(memory);
      assert.equal(framer.feed(memory.subarray(0, chunk.length)), null);
      memory.fill(0xee);
    }
    assert.equal(framer.pendingBytes(), 0, 'no bytes left over');
    return rec;
  }

  it('yields the same frames when frames span chunks of an overwritten buffer', () => {
    const front = frontendStream();
    const limits = frontendLengthLimits();
    const wholeFront = frameAll([front], FramerMode.Startup, limits);
    for (let seed = 1; seed <= 60; seed++) {
      const rec = frameThroughOneBuffer(randomChunks(front, seed, seed % 2 ? 50 : 9000), FramerMode.Startup, limits);
      assertSameFrames(rec.frames, wholeFront.frames, `frontend seed ${seed}`);
    }
    const back = backendStream();
    const wholeBack = frameAll([back], FramerMode.Typed);
    for (let k = 1; k < back.length; k++) {
      assertSameFrames(frameThroughOneBuffer(splitAt(back, k), FramerMode.Typed).frames, wholeBack.frames, `backend split at ${k}`);
    }
    assertSameFrames(frameThroughOneBuffer(fixedChunks(back, 1), FramerMode.Typed).frames, wholeBack.frames, 'backend 1-byte chunks');
  });
});

describe('Framer on a backend stream', () => {
  const stream = backendStream();
  const whole = frameAll([stream], FramerMode.Typed);

  it('frames every message our encoders wrote', () => {
    assert.deepEqual(
      whole.frames.map((f) => String.fromCharCode(f.code)).join(''),
      'RSKZ12TDDCEZ',
    );
  });

  it('is stable under every split and random chunking', () => {
    for (let k = 1; k < stream.length; k++) {
      assertSameFrames(frameAll(splitAt(stream, k), FramerMode.Typed).frames, whole.frames, `split at ${k}`);
    }
    for (let a = 1; a < stream.length; a += 7) {
      for (let b = a + 1; b < stream.length; b += 5) {
        assertSameFrames(frameAll(splitAt(stream, a, b), FramerMode.Typed).frames, whole.frames, `split ${a},${b}`);
      }
    }
    for (let seed = 1; seed <= 100; seed++) {
      assertSameFrames(frameAll(randomChunks(stream, seed, 12), FramerMode.Typed).frames, whole.frames, `seed ${seed}`);
    }
  });
});

describe('Framer buffers', () => {
  it('hands out views of the chunk itself, without copying', () => {
    const stream = backendStream();
    const seen: Buffer[] = [];
    const framer = new Framer({
      onMessage: (_c, buf) => seen.push(buf),
      onStartupPacket: () => assert.fail('no startup packets here'),
      onRun: (buf, start, end) => {
        assert.equal(buf, stream);
        assert.equal(start, 0);
        assert.equal(end, stream.length);
      },
    });
    framer.feed(stream);
    assert.ok(seen.length > 5);
    for (const b of seen) assert.equal(b, stream);
  });

  it('joins a frame spanning many chunks exactly once', () => {
    const payload = Buffer.alloc(1 << 20, 7);
    const stream = serialize.copyData(payload);
    const chunks = fixedChunks(stream, 1000);
    const original = Buffer.concat;
    let joins = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      joins++;
      return original(list, total);
    }) as typeof Buffer.concat;
    let rec: Recorder;
    try {
      rec = frameAll(chunks, FramerMode.Typed);
    } finally {
      Buffer.concat = original;
    }
    assert.equal(joins, 1, `${chunks.length} chunks, one join`);
    assert.equal(rec.frames.length, 1);
    assert.ok(rec.frames[0].bytes.equals(stream));
  });

  it('gives the joined frame and the rest of the chunk as separate runs', () => {
    const a = serialize.query('SELECT 1');
    const b = serialize.sync();
    const c = serialize.flush();
    const rec = new Recorder();
    const framer = new Framer(rec);
    framer.feed(a.subarray(0, 3));
    framer.feed(Buffer.concat([a.subarray(3), b, c]));
    assert.equal(rec.runs.length, 2);
    assert.ok(rec.runs[0].equals(a));
    assert.ok(rec.runs[1].equals(Buffer.concat([b, c])));
  });

  it('consume() cuts a frame out of the run and flushes the run before it first', () => {
    const q = serialize.query('SELECT 1');
    const x = serialize.end();
    const s = serialize.sync();
    const stream = Buffer.concat([q, x, s]);
    const events: string[] = [];
    const framer: Framer = new Framer({
      onMessage: (code) => {
        if (code === FrontendCode.Terminate) {
          framer.consume();
          events.push('terminate handled');
        } else events.push(`msg ${String.fromCharCode(code)}`);
      },
      onStartupPacket: () => assert.fail(),
      onRun: (buf, start, end) => events.push(`run ${buf.subarray(start, end).toString('hex')}`),
    });
    framer.feed(stream);
    assert.deepEqual(events, [
      'msg Q',
      `run ${q.toString('hex')}`,
      'terminate handled',
      'msg S',
      `run ${s.toString('hex')}`,
    ]);
  });

  it('halt() stops dispatching and drops the rest of the chunk', () => {
    const rec = new Recorder();
    const framer = new Framer(rec);
    rec.onEach = () => framer.halt();
    framer.feed(Buffer.concat([serialize.sync(), serialize.flush(), serialize.query('x')]));
    assert.equal(rec.frames.length, 1);
    assert.equal(framer.pendingBytes(), 0);
    framer.feed(serialize.flush());
    assert.equal(rec.frames.length, 2, 'the next feed starts afresh');
  });

  it('stops for good when a handler throws', () => {
    const rec = new Recorder();
    const framer = new Framer(rec);
    rec.onEach = (f) => {
      if (f.code === FrontendCode.Query) throw new Error('decoder blew up');
    };
    assert.throws(() => framer.feed(Buffer.concat([serialize.sync(), serialize.query('x'), serialize.sync()])), /decoder blew up/);
    const error = framer.feed(serialize.sync());
    assert.equal(error?.sqlstate, SqlState.InternalError);
    assert.equal(rec.frames.length, 2, 'nothing after the throw');
    assert.equal(rec.runs.length, 0);
  });

  it('refuses to be fed from inside its own callback', () => {
    const framer: Framer = new Framer({
      onMessage: () => assert.throws(() => framer.feed(serialize.sync()), /not reentrant/),
      onStartupPacket: () => {},
      onRun: () => {},
    });
    framer.feed(serialize.sync());
  });
});

