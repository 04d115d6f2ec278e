// Malformed input from raw sockets: each bad client gets a FATAL ErrorResponse with PostgreSQL's
// SQLSTATE and is closed, while a healthy client keeps querying through the same pgdog unharmed.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { pgConnect, psql, startPgdog, within, type Pgdog, type PgClient } from './e2e-harness.js';

interface Message {
  code: number;
  body: Buffer;
}

/** A protocol client that speaks bytes, for sending what no library would. */
class RawClient {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.on('error', reject);
    });
  }

  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  async next(timeoutMs = 5000): Promise<Message | null> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= len + 1) {
          const m = { code: this.buf[0], body: this.buf.subarray(5, len + 1) };
          this.buf = this.buf.subarray(len + 1);
          return m;
        }
      }
      if (this.closed) return null;
      if (Date.now() > until) throw new Error('RawClient: timed out');
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
      this.wake = null;
    }
  }

  /** Reads until ReadyForQuery; returns everything before it. */
  async untilReady(): Promise<Message[]> {
    const out: Message[] = [];
    for (;;) {
      const m = await this.next();
      if (m === null) throw new Error('closed before ReadyForQuery');
      if (m.code === 0x5a) return out;
      out.push(m);
    }
  }

  /** Expects a FATAL ErrorResponse followed by the connection closing; returns its fields. */
  async expectFatal(): Promise<Record<string, string>> {
    let m: Message | null;
    do m = await this.next();
    while (m !== null && m.code !== 0x45);
    assert.ok(m !== null, 'expected an ErrorResponse before close');
    const fields = errorFields(m.body);
    assert.equal(fields.S, 'FATAL');
    assert.equal(await this.next(), null, 'the connection is closed after the FATAL error');
    return fields;
  }
}

function errorFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    out[String.fromCharCode(body[i])] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return out;
}

function startupMessage(params: Record<string, string>, version = 196608): Buffer {
  const parts = [Buffer.alloc(8)];
  for (const [k, v] of Object.entries(params)) parts.push(Buffer.from(`${k}\0${v}\0`));
  parts.push(Buffer.from([0]));
  const b = Buffer.concat(parts);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(version, 4);
  return b;
}

function frame(code: string, body: Buffer | string, lengthOverride?: number): Buffer {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  const b = Buffer.alloc(5 + payload.length);
  b[0] = code.charCodeAt(0);
  b.writeInt32BE(lengthOverride ?? payload.length + 4, 1);
  payload.copy(b, 5);
  return b;
}

describe('pgdog end to end: malformed input', { timeout: 180_000 }, () => {
  let pg: PgServer;
  let dog: Pgdog;
  let blocking: Pgdog;
  let healthy: PgClient;
  let healthyLoop: Promise<number>;
  let stop = false;

  before(async () => {
    pg = await startPostgres({ users: [{ name: 'app', password: 'secret', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });
    dog = await startPgdog({ general: { auth_type: 'trust' }, databases: [{ name: 'appdb', port: pg.port }], users: [{ name: 'app', password: 'secret', database: 'appdb' }] });
    blocking = await startPgdog({
      general: { auth_type: 'trust', query_size_limit: 1024, query_size_limit_action: 'block' },
      databases: [{ name: 'appdb', port: pg.port }, { name: 'stmtdb', port: pg.port, database_name: 'appdb', pooler_mode: 'statement' }],
      users: [{ name: 'app', password: 'secret', databases: ['appdb', 'stmtdb'] }],
    });
    healthy = await pgConnect(dog.config('app', 'secret', 'appdb'));
    // A well-behaved client querying all along: no bad client may disturb it.
    healthyLoop = (async () => {
      let n = 0;
      while (!stop) {
        const r = await within(healthy.query('select $1::int as n', [n]), 15_000, `healthy query ${n}`);
        assert.equal(r.rows[0].n, n);
        n++;
      }
      return n;
    })();
  });
  after(async () => {
    stop = true;
    const queries = await healthyLoop;
    assert.ok(queries > 10, `the healthy client kept working (${queries} queries)`);
    await healthy.end();
    await dog?.stop();
    await blocking?.stop();
    await stopAll();
  });

  async function loggedIn(port = dog.port, database = 'appdb'): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.send(startupMessage({ user: 'app', database }));
    await c.untilReady();
    return c;
  }

  it('startup garbage (an HTTP request): 08P01 invalid length of startup packet', async () => {
    const c = await RawClient.connect(dog.port);
    c.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const f = await c.expectFatal();
    assert.equal(f.C, '08P01');
    assert.equal(f.M, 'invalid length of startup packet');
  });

  it('a startup packet without its terminator: 08P01', async () => {
    const c = await RawClient.connect(dog.port);
    const bad = startupMessage({ user: 'app' }).subarray(0, -1);
    bad.writeInt32BE(bad.length, 0);
    c.send(bad);
    assert.equal((await c.expectFatal()).C, '08P01');
  });

  it('an unsupported protocol version: 0A000', async () => {
    const c = await RawClient.connect(dog.port);
    c.send(startupMessage({ user: 'app', database: 'appdb' }, 2 << 16));
    assert.equal((await c.expectFatal()).C, '0A000');
  });

  it('plaintext sent behind an SSLRequest: 08P01', async () => {
    const c = await RawClient.connect(dog.port);
    const ssl = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    c.send(Buffer.concat([ssl, startupMessage({ user: 'app', database: 'appdb' })]));
    const f = await c.expectFatal();
    assert.equal(f.C, '08P01');
    assert.match(f.M, /unencrypted data after SSL request/);
  });

  it('an unknown message type after login: 08P01 invalid frontend message type', async () => {
    const c = await loggedIn();
    c.send(frame('Z', 'x'));
    const f = await c.expectFatal();
    assert.equal(f.C, '08P01');
    assert.equal(f.M, 'invalid frontend message type 90');
  });

  it('a length word below 4: 08P01 invalid message length', async () => {
    const c = await loggedIn();
    c.send(frame('Q', 'select 1\0', 2));
    const f = await c.expectFatal();
    assert.equal(f.C, '08P01');
    assert.equal(f.M, 'invalid message length');
  });

  it('an oversized message is refused at its header, before its body arrives', async () => {
    const c = await loggedIn();
    c.send(frame('Q', 'select', 0x7ffffff0));
    assert.equal((await c.expectFatal()).M, 'invalid message length');
    const d = await loggedIn();
    d.send(frame('S', Buffer.alloc(20000)));
    assert.equal((await d.expectFatal()).M, 'invalid message length');
  });

  it('query_size_limit with action block: a larger Query is refused, smaller ones run', async () => {
    const c = await loggedIn(blocking.port);
    c.send(frame('Q', 'select 1\0'));
    await c.untilReady();
    c.send(frame('Q', `select '${'x'.repeat(2000)}'\0`));
    const f = await c.expectFatal();
    assert.equal(f.C, '08P01');
    const r = await psql(pg, blocking.env('app', undefined, 'appdb'), `select length('${'y'.repeat(900)}')`);
    assert.equal(r.stdout.trim(), '900', r.stderr);
  });

  it('a second StartupMessage after login: 08P01', async () => {
    const c = await loggedIn();
    c.send(startupMessage({ user: 'app', database: 'appdb' }));
    const f = await c.expectFatal();
    assert.equal(f.C, '08P01');
    assert.equal(f.M, 'invalid frontend message type 0');
  });

  it('a Query body without its terminator, decoded in statement mode: 08P01', async () => {
    const c = await loggedIn(blocking.port, 'stmtdb');
    c.send(frame('Q', 'select 1'));
    assert.equal((await c.expectFatal()).C, '08P01');
  });

  it('a query sent together with the StartupMessage is answered after the login (not malformed)', async () => {
    const c = await RawClient.connect(dog.port);
    c.send(Buffer.concat([startupMessage({ user: 'app', database: 'appdb' }), frame('Q', 'select 7\0')]));
    const login = await c.untilReady();
    assert.deepEqual([...new Set(login.map((m) => String.fromCharCode(m.code)))], ['R', 'S', 'K']);
    const reply = await c.untilReady();
    assert.deepEqual(reply.map((m) => String.fromCharCode(m.code)), ['T', 'D', 'C']);
    assert.equal(reply[1].body.toString('utf8', 6), '7');
    c.socket.destroy();
  });

  it('a client that sends half a message and vanishes leaves nothing behind', async () => {
    const c = await loggedIn();
    c.send(frame('Q', 'select 1\0').subarray(0, 7));
    c.socket.destroy();
    const d = await loggedIn();
    d.send(frame('Q', 'select 42\0'));
    const msgs = await d.untilReady();
    assert.deepEqual(msgs.map((m) => String.fromCharCode(m.code)), ['T', 'D', 'C']);
    d.send(frame('X', ''));
    assert.equal(await d.next(), null);
  });
});
