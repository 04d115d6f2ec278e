// A minimal frontend over a raw socket (trust login): what node-postgres cannot do without
// extra packages, i.e. COPY FROM STDIN, and answering whatever a corpus statement starts (a COPY
// in or out) so the session always comes back to ReadyForQuery.
import net from 'node:net';

export interface Frame {
  readonly code: string;
  readonly body: Buffer;
}

const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
const int16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };

export function message(code: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(code, 'latin1'), int32(body.length + 4), body]);
}

/** An ErrorResponse's fields by code letter (M message, C sqlstate...). */
export function errorFields(frame: Frame): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of frame.body.toString('utf8').split('\0')) if (part.length > 1) out[part[0]!] = part.slice(1);
  return out;
}

export function firstError(frames: readonly Frame[]): Record<string, string> | null {
  const e = frames.find((f) => f.code === 'E');
  return e === undefined ? null : errorFields(e);
}

/** The CommandComplete tags, in order. */
export function tags(frames: readonly Frame[]): string[] {
  return frames.filter((f) => f.code === 'C').map((f) => f.body.toString('utf8', 0, f.body.length - 1));
}

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private frames: Frame[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length < len + 1) break;
        this.frames.push({ code: String.fromCharCode(this.buf[0]!), body: Buffer.from(this.buf.subarray(5, len + 1)) });
        this.buf = this.buf.subarray(len + 1);
      }
      this.wake?.();
    });
    socket.on('close', () => { this.closed = true; this.wake?.(); });
    socket.on('error', () => {});
  }

  static async connect(port: number, user: string, database: string, params: Record<string, string> = {}): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    // Each write its own segment, as soon as it is made (a test that cuts a batch means the cut).
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RawClient(socket);
    const pairs = Object.entries({ user, database, ...params }).flatMap(([k, v]) => [cstr(k), cstr(v)]);
    const body = Buffer.concat([int32(196608), ...pairs, Buffer.from([0])]);
    socket.write(Buffer.concat([int32(body.length + 4), body]));
    const startup = await c.untilReady();
    const err = firstError(startup);
    if (err !== null) throw new Error(`login failed: ${err.M}`);
    return c;
  }

  private async next(): Promise<Frame> {
    for (;;) {
      const f = this.frames.shift();
      if (f !== undefined) return f;
      if (this.closed) throw new Error('connection closed before ReadyForQuery');
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = null;
    }
  }

  /** Frames up to and including ReadyForQuery. A CopyInResponse is answered with `copyData`
   *  (then CopyDone), or with CopyDone alone. */
  async untilReady(copyData: readonly Buffer[] = []): Promise<Frame[]> {
    const out: Frame[] = [];
    for (;;) {
      const f = await this.next();
      out.push(f);
      if (f.code === 'G') this.socket.write(Buffer.concat([...copyData.map((d) => message('d', d)), message('c', Buffer.alloc(0))]));
      if (f.code === 'Z') return out;
    }
  }

  simple(sql: string, copyData: readonly Buffer[] = []): Promise<Frame[]> {
    this.socket.write(message('Q', cstr(sql)));
    return this.untilReady(copyData);
  }

  /** Parse / Bind (text parameters) / Describe portal / Execute / Sync. */
  extended(sql: string, params: readonly (string | null)[]): Promise<Frame[]> {
    const values = params.map((p) => (p === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(p)), Buffer.from(p, 'utf8')])));
    this.socket.write(Buffer.concat([
      message('P', Buffer.concat([cstr(''), cstr(sql), int16(0)])),
      message('B', Buffer.concat([cstr(''), cstr(''), int16(0), int16(params.length), ...values, int16(0)])),
      message('D', Buffer.concat([Buffer.from('P'), cstr('')])),
      message('E', Buffer.concat([cstr(''), int32(0)])),
      message('S', Buffer.alloc(0)),
    ]));
    return this.untilReady();
  }

  /** Bytes as they are: the caller reads the answers (untilReady). */
  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** COPY ... FROM STDIN: the payloads go out as separate CopyData messages, in order. */
  copyIn(sql: string, payloads: readonly Buffer[]): Promise<Frame[]> {
    return this.simple(sql, payloads);
  }

  close(): void {
    if (!this.closed) this.socket.end(message('X', Buffer.alloc(0)));
  }
}
