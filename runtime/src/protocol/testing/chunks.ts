// Test support (not exported from the package): ways to cut one byte stream into chunks, and a
// FrameHandler that records what the framer dispatched.

import assert from 'node:assert/strict';
import { seededRandom as prng } from '@pgdog/testing';
import { Framer, type FrameHandler, type FramerMode } from '../framer.js';


export function splitAt(stream: Buffer, ...offsets: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const at of offsets) {
    out.push(stream.subarray(from, at));
    from = at;
  }
  out.push(stream.subarray(from));
  return out;
}

export function fixedChunks(stream: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i += size) out.push(stream.subarray(i, i + size));
  return out;
}

/** Random chunk sizes in [1, maxSize]; each chunk is a fresh copy, as a socket would deliver it. */
export function randomChunks(stream: Buffer, seed: number, maxSize: number): Buffer[] {
  const next = prng(seed);
  const out: Buffer[] = [];
  let i = 0;
  while (i < stream.length) {
    const n = 1 + Math.floor(next() * maxSize);
    out.push(Buffer.from(stream.subarray(i, i + n)));
    i += n;
  }
  return out;
}

export interface RecordedFrame {
  readonly kind: 'message' | 'startup';
  /** Type byte, or the startup request code. */
  readonly code: number;
  /** A copy of the whole frame. */
  readonly bytes: Buffer;
}

/** Records frames and runs as copies, so they can be compared after the views expire. */
export class Recorder implements FrameHandler {
  readonly frames: RecordedFrame[] = [];
  readonly runs: Buffer[] = [];
  /** Called after recording a message; lets a test act inside the callback. */
  onEach: ((frame: RecordedFrame, buf: Buffer, start: number, end: number) => void) | null = null;

  onMessage(code: number, buf: Buffer, start: number, end: number): void {
    const frame: RecordedFrame = { kind: 'message', code, bytes: Buffer.from(buf.subarray(start, end)) };
    this.frames.push(frame);
    this.onEach?.(frame, buf, start, end);
  }

  onStartupPacket(requestCode: number, buf: Buffer, start: number, end: number): void {
    const frame: RecordedFrame = { kind: 'startup', code: requestCode, bytes: Buffer.from(buf.subarray(start, end)) };
    this.frames.push(frame);
    this.onEach?.(frame, buf, start, end);
  }

  onRun(buf: Buffer, start: number, end: number): void {
    this.runs.push(Buffer.from(buf.subarray(start, end)));
  }
}

export function frameAll(chunks: Buffer[], mode: FramerMode, limits?: Int32Array): Recorder {
  const rec = new Recorder();
  const framer = new Framer(rec, { mode, lengthLimits: limits });
  for (const chunk of chunks) assert.equal(framer.feed(chunk), null);
  assert.equal(framer.pendingBytes(), 0, 'no bytes left over');
  return rec;
}

export function assertSameFrames(actual: RecordedFrame[], expected: RecordedFrame[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: frame count`);
  for (let i = 0; i < expected.length; i++) {
    assert.equal(actual[i].kind, expected[i].kind, `${label}: frame ${i} kind`);
    assert.equal(actual[i].code, expected[i].code, `${label}: frame ${i} code`);
    assert.ok(actual[i].bytes.equals(expected[i].bytes), `${label}: frame ${i} bytes`);
  }
}

