// The libuv stream handle under a plain TCP net.Socket, used directly. Node's stream layer costs
// several microseconds per write (write request object, state bookkeeping, an after-write tick)
// and per read (a fresh ArrayBuffer, a Buffer, push and 'data' emission); the proxy batches its
// own writes, tracks its own backpressure and frames its reads, so it needs none of it. The
// handle API is the one net.Socket itself uses; it is reached through process.binding, which
// Node still exposes for these modules. When it is missing or changes shape, `directHandle`
// returns null and callers keep using the socket's stream interface.

import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';

/** A write request; its object must come from WriteWrap (the handle stores state in it when async). */
export interface WriteReq {
  oncomplete: ((this: WriteReq, status: number) => void) | null;
  /** Keeps the written memory alive until an async write completes. */
  buffer: Buffer | Buffer[] | null;
  /** The owner of an async write, for the completion callback. */
  owner: unknown;
}

/** The subset of a libuv TCP handle's members (node/src/stream_base.cc, lib/net.js) used here. */
export interface StreamHandle {
  writeBuffer(req: WriteReq, data: Uint8Array): number;
  writev(req: WriteReq, chunks: Buffer[], allBuffers: boolean): number;
  /** Bytes libuv still holds for writing. */
  readonly writeQueueSize: number;
  /** Called with each read's outcome; its return value may name the next read buffer. */
  onread: (this: StreamHandle, arrayBuffer: ArrayBuffer | undefined) => unknown;
  /** Reads go to `buf` (and to the one onread returns) instead of a fresh allocation each. */
  useUserBuffer(buf: Uint8Array): void;
  readStart(): number;
  readStop(): number;
  /** net.Socket's own flag for "readStart was called". */
  reading: boolean;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
}

interface Bindings {
  readonly WriteWrap: new () => WriteReq;
  readonly state: Int32Array;
  readonly lastWriteWasAsync: number;
  readonly readBytesOrError: number;
  readonly arrayBufferOffset: number;
  readonly TCP: abstract new (...args: never[]) => unknown;
}

function load(): Bindings | null {
  try {
    const bind = (process as unknown as { binding(name: string): unknown }).binding;
    if (typeof bind !== 'function') return null;
    const sw = bind('stream_wrap') as Partial<StreamWrapBinding>;
    const tcp = bind('tcp_wrap') as { TCP?: unknown };
    if (typeof sw.WriteWrap !== 'function' || !(sw.streamBaseState instanceof Int32Array)) return null;
    for (const k of ['kLastWriteWasAsync', 'kReadBytesOrError', 'kArrayBufferOffset'] as const) if (typeof sw[k] !== 'number') return null;
    if (typeof tcp.TCP !== 'function') return null;
    const proto = (tcp.TCP as { prototype: Record<string, unknown> }).prototype;
    for (const m of ['writeBuffer', 'writev', 'useUserBuffer', 'readStart', 'readStop']) if (typeof proto[m] !== 'function') return null;
    return {
      WriteWrap: sw.WriteWrap,
      state: sw.streamBaseState,
      lastWriteWasAsync: sw.kLastWriteWasAsync as number,
      readBytesOrError: sw.kReadBytesOrError as number,
      arrayBufferOffset: sw.kArrayBufferOffset as number,
      TCP: tcp.TCP as Bindings['TCP'],
    };
  } catch {
    return null;
  }
}

const bindings = process.env.PGDOG_NODE_STREAMS === '1' ? null : load();
// Read per call, so kept at hand: one typed-array load each.
const state = bindings === null ? new Int32Array(1) : bindings.state;
const lastWriteWasAsyncIndex = bindings === null ? 0 : bindings.lastWriteWasAsync;
const readBytesOrErrorIndex = bindings === null ? 0 : bindings.readBytesOrError;
const arrayBufferOffsetIndex = bindings === null ? 0 : bindings.arrayBufferOffset;

/** False when this Node offers no direct handle I/O (or PGDOG_NODE_STREAMS=1 turned it off): sockets use their streams. */
export const directIoAvailable = bindings !== null;

/** The TCP handle of a plain (not TLS) socket, or null: write through the stream then. */
export function directHandle(socket: Socket): StreamHandle | null {
  if (bindings === null) return null;
  const handle = (socket as unknown as { _handle: unknown })._handle;
  return handle instanceof bindings.TCP ? (handle as StreamHandle) : null;
}

/** A fresh write request object. One may be reused until a write through it goes async. */
export function newWriteReq(): WriteReq {
  const req = new (bindings as Bindings).WriteWrap();
  req.oncomplete = null;
  req.buffer = null;
  req.owner = null;
  return req;
}

/** Inside a handle's onread: bytes read (> 0), 0, or a negative libuv error (UV_EOF at the end). */
export function lastReadResult(): number {
  return state[readBytesOrErrorIndex];
}

/** Inside a handle's onread without a user buffer: where the bytes start in the ArrayBuffer given. */
export function lastReadOffset(): number {
  return state[arrayBufferOffsetIndex];
}

/** Whether the last writeBuffer/writev left bytes queued in libuv (the request is then in use). */
export function lastWriteWasAsync(): boolean {
  return state[lastWriteWasAsyncIndex] !== 0;
}

/** The error a failed handle write stands for, shaped like the ones net.Socket emits. */
export function writeError(status: number): NodeJS.ErrnoException {
  let name: string;
  try {
    name = getSystemErrorName(status);
  } catch {
    name = `E${-status}`;
  }
  const err: NodeJS.ErrnoException = new Error(`write ${name}`);
  err.errno = status;
  err.code = name;
  err.syscall = 'write';
  return err;
}
