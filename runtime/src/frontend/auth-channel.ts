import type { AuthChannel } from '../auth/client-auth.js';

/** More than this buffered from a client that has not logged in yet is an attack, not a login. */
const MAX_QUEUED_BYTES = 1024 * 1024;

interface Waiter {
  resolve(frame: { code: number; body: Buffer }): void;
  reject(err: Error): void;
}

/**
 * Carries a client's typed frames to the authentication exchange, which reads them one at a time
 * asynchronously. Frames are copied (whole, header included) because they outlive the dispatch;
 * whatever the client sent ahead of its login finishing is handed to the forwarder afterwards.
 */
export class AuthFrameQueue implements AuthChannel {
  private readonly sendBytes: (buf: Buffer) => void;
  private readonly frames: Buffer[];
  private head: number;
  private queuedBytes: number;
  private waiter: Waiter | null;
  private error: Error | null;

  constructor(send: (buf: Buffer) => void) {
    this.sendBytes = send;
    this.frames = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.waiter = null;
    this.error = null;
  }

  send(buf: Buffer): void {
    this.sendBytes(buf);
  }

  next(): Promise<{ code: number; body: Buffer }> {
    if (this.error !== null) return Promise.reject(this.error);
    if (this.head < this.frames.length) return Promise.resolve(this.take());
    if (this.waiter !== null) return Promise.reject(new Error('AuthFrameQueue.next: already waiting'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Adds a frame; false when the client has sent more than a login could need. */
  push(buf: Buffer, start: number, end: number): boolean {
    const frame = Buffer.from(buf.subarray(start, end));
    this.queuedBytes += frame.length;
    if (this.queuedBytes > MAX_QUEUED_BYTES) return false;
    this.frames.push(frame);
    const waiter = this.waiter;
    if (waiter !== null) {
      this.waiter = null;
      waiter.resolve(this.take());
    }
    return true;
  }

  /** The client is gone: a pending and every later next() rejects. */
  close(err: Error): void {
    this.error = err;
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter !== null) waiter.reject(err);
  }

  /** Frames not consumed by the exchange, joined for replay (null when there are none). */
  drainRemaining(): Buffer | null {
    const rest = this.frames.slice(this.head);
    this.frames.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
    return rest.length === 0 ? null : Buffer.concat(rest);
  }

  private take(): { code: number; body: Buffer } {
    const frame = this.frames[this.head];
    this.frames[this.head++] = EMPTY;
    this.queuedBytes -= frame.length;
    return { code: frame[0], body: frame.subarray(5) };
  }
}

const EMPTY = Buffer.alloc(0);
