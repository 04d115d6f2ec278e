// Test support (not exported from the package): a minimal PostgreSQL client over a raw socket
// that returns the backend frames as they arrived, so tests can feed real shard output to the
// merger and the COPY splitter. Trust authentication only.
import net from 'node:net';

export interface Frame {
  readonly code: number;
  /** The whole frame: code, length, body. */
  readonly bytes: Buffer;
}

function message(code: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = code.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

export class RawPg {
  private buf = Buffer.alloc(0);
  private frames: Frame[] = [];
  private waiter: (() => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length < len + 1) break;
        this.frames.push({ code: this.buf[0]!, bytes: Buffer.from(this.buf.subarray(0, len + 1)) });
        this.buf = this.buf.subarray(len + 1);
      }
      this.waiter?.();
    });
  }

  static async connect(host: string, port: number, user: string, database: string, params: Record<string, string> = {}): Promise<RawPg> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RawPg(socket);
    const pairs = Object.entries({ user, database, ...params }).flatMap(([k, v]) => [cstr(k), cstr(v)]);
    const body = Buffer.concat([int32(196608), ...pairs, Buffer.from([0])]);
    socket.write(Buffer.concat([int32(body.length + 4), body]));
    const startup = await c.untilReady();
    const err = startup.find((f) => f.code === 0x45);
    if (err) throw new Error(`startup failed: ${err.bytes.toString('utf8', 5)}`);
    return c;
  }

  /** Frames up to and including ReadyForQuery. */
  async untilReady(): Promise<Frame[]> {
    for (;;) {
      const i = this.frames.findIndex((f) => f.code === 0x5a);
      if (i >= 0) return this.frames.splice(0, i + 1);
      await new Promise<void>((resolve) => { this.waiter = resolve; });
      this.waiter = null;
    }
  }

  async untilCode(code: number): Promise<Frame[]> {
    for (;;) {
      const i = this.frames.findIndex((f) => f.code === code || f.code === 0x45);
      if (i >= 0) return this.frames.splice(0, i + 1);
      await new Promise<void>((resolve) => { this.waiter = resolve; });
      this.waiter = null;
    }
  }

  /** Simple query protocol. */
  simple(sql: string): Promise<Frame[]> {
    this.socket.write(message('Q', cstr(sql)));
    return this.untilReady();
  }

  /** Parse / Bind (text parameters, one result format for all columns) / Describe portal /
   *  Execute / Sync. */
  extended(sql: string, params: readonly (string | null)[], resultFormat: 0 | 1): Promise<Frame[]> {
    const values = params.map((p) => (p === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p)])));
    this.socket.write(Buffer.concat([
      message('P', Buffer.concat([cstr(''), cstr(sql), int16(0)])),
      message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(params.length), ...values, int16(1), int16(resultFormat)])),
      message('D', Buffer.concat([Buffer.from('P'), cstr('')])),
      message('E', Buffer.concat([cstr(''), int32(0)])),
      message('S', Buffer.alloc(0)),
    ]));
    return this.untilReady();
  }

  /** COPY ... TO STDOUT: the CopyData payloads. */
  async copyOut(sql: string): Promise<Buffer[]> {
    const frames = await this.simple(sql);
    const err = frames.find((f) => f.code === 0x45);
    if (err) throw new Error(err.bytes.toString('utf8', 5));
    return frames.filter((f) => f.code === 0x64).map((f) => f.bytes.subarray(5));
  }

  /** COPY ... FROM STDIN with the given payloads; the frames after CopyDone. */
  async copyIn(sql: string, payloads: readonly Buffer[]): Promise<Frame[]> {
    this.socket.write(message('Q', cstr(sql)));
    const head = await this.untilCode(0x47);
    if (head[head.length - 1]!.code === 0x45) return [...head, ...(await this.untilReady())];
    this.socket.write(Buffer.concat([...payloads.map((p) => message('d', p)), message('c', Buffer.alloc(0))]));
    return this.untilReady();
  }

  close(): void {
    this.socket.end(message('X', Buffer.alloc(0)));
  }
}

export function errorMessage(frames: readonly Frame[]): string | null {
  const e = frames.find((f) => f.code === 0x45);
  if (!e) return null;
  const fields = e.bytes.subarray(5).toString('utf8').split('\0');
  return fields.find((f) => f.startsWith('M'))?.slice(1) ?? 'error';
}
