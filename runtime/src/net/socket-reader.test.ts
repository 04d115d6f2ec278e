import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { READ_BUFFER_SIZE, SMALL_READ_BUFFER_SIZE, SocketReader } from './socket-reader.js';
import { SocketWriter } from './socket-writer.js';
import { directIoAvailable } from './stream-handle.js';
import { Framer, type FrameHandler } from '../protocol/framer.js';
import { beginTurn, endTurn } from './write-turn.js';

// Real loopback sockets: the reader's buffer reuse is only safe if what reaches the far end of a
// forwarded stream is exactly what was read, also while writes back up.

/** Bytes whose value depends on their position, so a reused buffer overwriting them shows up. */
function pattern(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed + (i >>> 8)) & 0xff;
  return b;
}

async function collect(sock: net.Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      chunks.push(d);
      n += d.length;
      if (n >= bytes) {
        sock.removeListener('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    sock.on('data', onData);
    sock.once('error', reject);
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SocketReader', () => {
  let listener: net.Server;
  let pending: ((s: net.Socket) => void)[] = [];

  before(async () => {
    listener = net.createServer((s) => pending.shift()?.(s));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  });
  after(() => new Promise<void>((r) => listener.close(() => r())));

  const port = (): number => (listener.address() as net.AddressInfo).port;

  /** A socket connected with the reader's onread, and the accepted far end. */
  async function connectWith(reader: SocketReader): Promise<{ near: net.Socket; far: net.Socket }> {
    const far = new Promise<net.Socket>((r) => pending.push(r));
    const near = net.connect({ host: '127.0.0.1', port: port(), onread: reader.onread });
    await new Promise<void>((r) => near.once('connect', () => r()));
    return { near, far: await far };
  }

  /** A plain pair: the accepted end is what the test reads with or adopts. */
  async function plainPair(): Promise<{ client: net.Socket; accepted: net.Socket }> {
    const accepted = new Promise<net.Socket>((r) => pending.push(r));
    const client = net.connect(port(), '127.0.0.1');
    await new Promise<void>((r) => client.once('connect', () => r()));
    return { client, accepted: await accepted };
  }

  it('delivers reads of a net.connect socket from one reused buffer', async () => {
    const reader = new SocketReader();
    const seen: { text: string; memory: ArrayBufferLike }[] = [];
    let arrived = (): void => {};
    reader.setConsumer((chunk) => {
      seen.push({ text: chunk.toString(), memory: chunk.buffer });
      arrived();
    });
    const { near, far } = await connectWith(reader);
    assert.equal(reader.reusesMemory, true);
    for (const word of ['one', 'two', 'three']) {
      const got = new Promise<void>((r) => (arrived = r));
      far.write(word);
      await got;
    }
    assert.deepEqual(seen.map((s) => s.text), ['one', 'two', 'three']);
    assert.equal(seen[1].memory, seen[0].memory, 'nothing held on to the buffer, so it is read into again');
    assert.equal(seen[2].memory, seen[0].memory);
    near.destroy();
    far.destroy();
  });

  it('takes a net.connect socket\'s reads over from Node after a few; socket pause/resume, end and close still work', async () => {
    const reader = new SocketReader({ readsBeforeTakeover: 3 });
    const got: string[] = [];
    let arrived = (): void => {};
    reader.setConsumer((chunk) => {
      got.push(chunk.toString());
      arrived();
    });
    const { near, far } = await connectWith(reader);
    near.resume();
    const handle = (near as unknown as { _handle: { onread: { name: string } } })._handle;
    const send = async (word: string): Promise<void> => {
      const next = new Promise<void>((r) => (arrived = r));
      far.write(word);
      await next;
    };
    for (const word of ['a', 'b']) await send(word);
    assert.equal(handle.onread.name, 'onStreamRead', 'Node reads the first ones');
    for (const word of ['c', 'd', 'e']) await send(word);
    if (directIoAvailable) assert.notEqual(handle.onread.name, 'onStreamRead', 'the reader reads the rest');
    near.pause();
    far.write('held');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e'], 'nothing is delivered while the socket is paused');
    const next = new Promise<void>((r) => (arrived = r));
    near.resume();
    await next;
    assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e', 'held']);
    const ended = new Promise<void>((r) => near.once('end', () => r()));
    const closed = new Promise<void>((r) => near.once('close', () => r()));
    far.end();
    await ended;
    near.end();
    await closed;
  });

  it('keeps chunks that arrive before a consumer is set, as copies', async () => {
    const reader = new SocketReader();
    const { near, far } = await connectWith(reader);
    far.write('early');
    await new Promise((r) => setTimeout(r, 50));
    const got: string[] = [];
    reader.setConsumer((chunk) => got.push(chunk.toString()));
    assert.deepEqual(got, ['early']);
    near.destroy();
    far.destroy();
  });

  it('forwards a large stream intact while writes back up (the buffer is replaced while referenced)', { timeout: 30_000 }, async () => {
    // source --(reader, reused buffer)--> proxy --(SocketWriter)--> sink, with the sink paused
    // for a while so that the proxy's writes go async and must keep the read memory they cite.
    const reader = new SocketReader();
    const { near: proxyIn, far: source } = await connectWith(reader);
    const { client: sink, accepted: proxyOut } = await plainPair();
    const out = new SocketWriter(proxyOut);
    out.setPeer(proxyIn);
    const memories = new Set<ArrayBufferLike>();
    reader.setConsumer((chunk) => {
      assert.ok(Buffer.isBuffer(chunk));
      memories.add(chunk.buffer);
      out.write(chunk);
    });
    const total = 6 * 1024 * 1024;
    const data = pattern(total, 7);
    sink.pause();
    const received = collect(sink, total);
    for (let at = 0; at < total; at += 4096) source.write(data.subarray(at, Math.min(total, at + 4096)));
    await new Promise((r) => setTimeout(r, 200));
    sink.resume();
    const got = await received;
    assert.equal(got.length, total);
    assert.ok(got.equals(data), 'every byte arrives as sent, in order');
    if (directIoAvailable) assert.ok(memories.size > 1, 'pending writes made the reader move to fresh buffers');
    for (const s of [source, proxyIn, proxyOut, sink]) s.destroy();
  });

  const adoptions = [
    { bufferSize: READ_BUFFER_SIZE, readsBeforeBuffer: 0 },
    { bufferSize: SMALL_READ_BUFFER_SIZE, readsBeforeBuffer: 0 },
    { bufferSize: SMALL_READ_BUFFER_SIZE, readsBeforeBuffer: 1 },
  ];
  for (const options of adoptions) {
    it(`adopts an accepted socket (${JSON.stringify(options)}): reads, pause and resume through the reader, end and close as usual`, async () => {
      const { client, accepted } = await plainPair();
      const reader = new SocketReader(options);
      const got: string[] = [];
      let arrived = (): void => {};
      reader.setConsumer((chunk) => {
        got.push(chunk.toString());
        arrived();
      });
      reader.adopt(accepted);
      assert.equal(reader.reusesMemory, directIoAvailable);
      let next = new Promise<void>((r) => (arrived = r));
      client.write('hello');
      await next;
      reader.pause();
      client.write('held');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(got, ['hello'], 'nothing is delivered while paused');
      next = new Promise<void>((r) => (arrived = r));
      reader.resume();
      await next;
      assert.deepEqual(got, ['hello', 'held']);
      const ended = new Promise<void>((r) => accepted.once('end', () => r()));
      const closed = new Promise<void>((r) => accepted.once('close', () => r()));
      client.end();
      await ended;
      await closed;
    });
  }

  it('grows a small buffer while reads fill it, and delivers everything in order', async () => {
    const { client, accepted } = await plainPair();
    const reader = new SocketReader({ bufferSize: SMALL_READ_BUFFER_SIZE });
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    const total = 200_000;
    let done = (): void => {};
    const all = new Promise<void>((r) => (done = r));
    let n = 0;
    reader.setConsumer((chunk) => {
      sizes.push(chunk.length);
      parts.push(Buffer.from(chunk));
      n += chunk.length;
      if (n >= total) done();
    });
    reader.adopt(accepted);
    const data = pattern(total, 3);
    client.write(data);
    await all;
    assert.ok(Buffer.concat(parts).equals(data));
    if (directIoAvailable) {
      assert.ok(sizes[0] <= SMALL_READ_BUFFER_SIZE, `first read ${sizes[0]}`);
      assert.ok(Math.max(...sizes) > SMALL_READ_BUFFER_SIZE, 'later reads use a larger buffer');
      assert.ok(Math.max(...sizes) <= READ_BUFFER_SIZE);
    }
    client.destroy();
    accepted.destroy();
  });

  it('with a framer told so, frames larger than the reused buffer arrive intact', async () => {
    const { client, accepted } = await plainPair();
    const reader = new SocketReader({ bufferSize: SMALL_READ_BUFFER_SIZE });
    const frames: Buffer[] = [];
    const sizes = [10, 3000, 5, 70_000, 2047, 2048, 2049, 40_000, 1];
    let done = (): void => {};
    const all = new Promise<void>((r) => (done = r));
    const handler: FrameHandler = {
      onMessage: (_code, buf, start, end) => {
        frames.push(Buffer.from(buf.subarray(start, end)));
        if (frames.length === sizes.length) done();
      },
      onStartupPacket: () => {},
      onRun: () => {},
    };
    const framer = new Framer(handler, { reusedChunks: true });
    reader.setConsumer((chunk) => assert.equal(framer.feed(chunk), null));
    reader.adopt(accepted);
    const sent = sizes.map((n, i) => {
      const frame = Buffer.alloc(5 + n);
      frame[0] = 0x64;
      frame.writeInt32BE(4 + n, 1);
      pattern(n, i).copy(frame, 5);
      return frame;
    });
    // Dribbled out, so that frames are cut at many places across reads.
    const stream = Buffer.concat(sent);
    for (let at = 0; at < stream.length; at += 1500) {
      client.write(stream.subarray(at, at + 1500));
      if (at % 15_000 === 0) await tick();
    }
    await all;
    assert.equal(frames.length, sent.length);
    for (let i = 0; i < sent.length; i++) assert.ok(frames[i].equals(sent[i]), `frame ${i} (${sizes[i]} bytes)`);
    client.destroy();
    accepted.destroy();
  });

  it('listen() takes a stream\'s own chunks, which may be kept', async () => {
    const { client, accepted } = await plainPair();
    const reader = new SocketReader();
    const kept: Buffer[] = [];
    let arrived = (): void => {};
    reader.setConsumer((chunk) => {
      kept.push(chunk);
      arrived();
    });
    reader.listen(accepted);
    assert.equal(reader.reusesMemory, false);
    for (const word of ['a1', 'b2']) {
      const got = new Promise<void>((r) => (arrived = r));
      client.write(word);
      await got;
    }
    assert.deepEqual(kept.map(String), ['a1', 'b2']);
    reader.pause();
    assert.equal(accepted.isPaused(), true);
    reader.resume();
    client.destroy();
    accepted.destroy();
  });
});

describe('write turns', () => {
  let listener: net.Server;
  before(async () => {
    listener = net.createServer((s) => s.resume());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  });
  after(() => new Promise<void>((r) => listener.close(() => r())));

  it('writes what a turn queued when the turn ends, without waiting for a tick', async () => {
    const sock = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const w = new SocketWriter(sock);
    const outer = beginTurn(false);
    w.write(Buffer.from('x'));
    w.write(Buffer.from('y'));
    assert.equal(w.writes, 0);
    const pinned = endTurn(outer);
    assert.equal(w.writes, 1, 'one write, made synchronously at the end of the turn');
    assert.equal(pinned, false);
    await tick();
    assert.equal(w.writes, 1, 'no second write from a leftover tick');
    sock.destroy();
  });

  it('a nested turn flushes and leaves the outer one working', async () => {
    const sock = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const a = new SocketWriter(sock);
    const outer = beginTurn(true);
    const inner = beginTurn(false);
    a.write(Buffer.from('inner'));
    endTurn(inner);
    assert.equal(a.writes, 1);
    a.write(Buffer.from('outer'));
    endTurn(outer);
    assert.equal(a.writes, 2);
    sock.destroy();
  });
});
