import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SocketWriter, socketWriterFor, type Pausable } from './socket-writer.js';

// Real loopback sockets: what matters is what reaches the other end, and when.

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

function recorder(): Pausable & { events: string[]; resumed: Promise<void> } {
  const events: string[] = [];
  let onResume = (): void => {};
  const resumed = new Promise<void>((r) => (onResume = r));
  return {
    events,
    resumed,
    pause: () => events.push('pause'),
    resume: () => {
      events.push('resume');
      onResume();
    },
  };
}

async function collect(sock: net.Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  return new Promise((resolve) => {
    const onData = (d: Buffer): void => {
      chunks.push(d);
      n += d.length;
      if (n >= bytes) {
        sock.removeListener('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    sock.on('data', onData);
  });
}

describe('SocketWriter', () => {
  let listener: net.Server;
  let pending: ((s: net.Socket) => void)[] = [];

  before(async () => {
    listener = net.createServer((s) => pending.shift()?.(s));
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  });
  after(() => new Promise<void>((r) => listener.close(() => r())));

  async function pair(): Promise<Pair> {
    const server = new Promise<net.Socket>((r) => pending.push(r));
    const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((r) => client.on('connect', () => r()));
    return { client, server: await server };
  }

  it('sends everything written in one turn with one socket write, in order', async () => {
    const { client, server } = await pair();
    const w = new SocketWriter(server);
    const parts = ['alpha', 'beta', 'gamma', 'delta'].map((s) => Buffer.from(s));
    const got = collect(client, 19);
    for (const p of parts) w.write(p);
    assert.equal(w.pendingBytes, 19);
    assert.equal(w.writes, 0, 'nothing goes out before the turn ends');
    await new Promise((r) => process.nextTick(r));
    assert.equal(w.writes, 1);
    assert.equal((await got).toString(), 'alphabetagammadelta');
    client.destroy();
    server.destroy();
  });

  it('corks large batches into one flush and keeps the bytes intact', async () => {
    const { client, server } = await pair();
    const w = new SocketWriter(server);
    const parts = Array.from({ length: 5 }, (_, i) => Buffer.alloc(10_000, 65 + i));
    const got = collect(client, 50_000);
    for (const p of parts) w.write(p);
    w.flush();
    assert.equal(w.writes, 1);
    assert.deepEqual(await got, Buffer.concat(parts));
    client.destroy();
    server.destroy();
  });

  it('pauses the peer while the socket is full and resumes it on drain', async () => {
    const { client, server } = await pair();
    client.pause();
    const w = new SocketWriter(server);
    const peer = recorder();
    w.setPeer(peer);
    // Far more than the kernel buffers and the stream's high-water mark hold.
    for (let i = 0; i < 64 && peer.events.length === 0; i++) {
      w.write(Buffer.alloc(1024 * 1024));
      w.flush();
    }
    assert.deepEqual(peer.events, ['pause']);
    assert.equal(w.full, true);
    client.resume();
    await peer.resumed;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(peer.events, ['pause', 'resume']);
    assert.equal(w.full, false);
    client.destroy();
    server.destroy();
  });

  it('hands a paused peer back resumed when the peer changes', async () => {
    const { client, server } = await pair();
    client.pause();
    const w = new SocketWriter(server);
    const first = recorder();
    const second = recorder();
    w.setPeer(first);
    for (let i = 0; i < 64 && first.events.length === 0; i++) {
      w.write(Buffer.alloc(1024 * 1024));
      w.flush();
    }
    w.setPeer(second);
    assert.deepEqual(first.events, ['pause', 'resume']);
    assert.deepEqual(second.events, ['pause'], 'the new peer waits for the drain too');
    w.setPeer(null);
    assert.deepEqual(second.events, ['pause', 'resume']);
    client.destroy();
    server.destroy();
  });

  it('drops writes to a closed socket instead of throwing', async () => {
    const { client, server } = await pair();
    const w = new SocketWriter(server);
    server.destroy();
    w.write(Buffer.from('late'));
    w.flush();
    assert.equal(w.pendingBytes, 0);
    client.destroy();
  });

  it('socketWriterFor gives one writer per socket', async () => {
    const { client, server } = await pair();
    assert.equal(socketWriterFor(server), socketWriterFor(server));
    assert.notEqual(socketWriterFor(server), socketWriterFor(client));
    client.destroy();
    server.destroy();
  });
});
