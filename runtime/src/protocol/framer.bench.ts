// Microbenchmark (not a test): framing throughput on a DataRow-heavy server stream fed in 64 KB
// chunks, the shape of a large SELECT result passing through the proxy.
//
//   npx tsc -b runtime && node runtime/dist/src/protocol/framer.bench.js
//
// Timings are operations per CPU-second of this process (process.cpuUsage), best of 7 rounds of
// ~300 ms after a warm-up round, the method used in shared/reference/deps.md.

import { Parser } from 'pg-protocol/dist/parser.js';
import { serialize } from 'pg-protocol';
import { Framer, type FrameHandler } from './framer.js';
import { frontendLengthLimits } from './length-limits.js';
import { MessageWriter } from './writer.js';
import { writeDataRow } from './backend/data-row.js';
import { writeRowDescription } from './backend/row-description.js';
import { writeCommandComplete } from './backend/command-complete.js';
import { READY_FOR_QUERY_IDLE } from './constants.js';

const ROWS = 100_000;
const CHUNK = 64 * 1024;

function buildStream(): { stream: Buffer; messages: number } {
  const w = new MessageWriter(1 << 20);
  writeRowDescription(w, ['id', 'name', 'email', 'city', 'note'].map((name) => ({ name })));
  for (let i = 0; i < ROWS; i++) {
    writeDataRow(w, [String(100000 + i), `user_${i}`, `user_${i}@example.com`, 'Amsterdam', `note ${i % 97}`]);
  }
  writeCommandComplete(w, `SELECT ${ROWS}`);
  w.frames(READY_FOR_QUERY_IDLE);
  return { stream: w.take(), messages: ROWS + 3 };
}

function cut(stream: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  // Fresh buffers, like socket reads; cutting at 64 KB leaves a partial frame at almost every edge.
  for (let i = 0; i < stream.length; i += CHUNK) chunks.push(Buffer.from(stream.subarray(i, i + CHUNK)));
  return chunks;
}

function measure(label: string, bytes: number, messages: number, pass: () => void): void {
  const round = (): number => {
    const t0 = process.cpuUsage();
    let passes = 0;
    let used = 0;
    while (used < 300_000) {
      pass();
      passes++;
      const d = process.cpuUsage(t0);
      used = d.user + d.system;
    }
    return passes / (used / 1e6);
  };
  round();
  let best = 0;
  for (let i = 0; i < 7; i++) best = Math.max(best, round());
  const msgs = (best * messages) / 1e6;
  const mb = (best * bytes) / 1e6;
  console.log(`${label.padEnd(44)} ${msgs.toFixed(1).padStart(6)} M msgs/s  ${mb.toFixed(0).padStart(6)} MB/s`);
}

class Counter implements FrameHandler {
  messages = 0;
  ready = 0;
  runBytes = 0;
  onMessage(code: number): void {
    this.messages++;
    if (code === 0x5a) this.ready++;
  }
  onStartupPacket(): void {}
  onRun(_buf: Buffer, start: number, end: number): void {
    this.runBytes += end - start;
  }
}

/** What the forwarding path does: note each code that matters, queue each run for one write. */
class Forwarder implements FrameHandler {
  status = 0;
  errors = 0;
  readonly queued: Buffer[] = [];
  onMessage(code: number, buf: Buffer, start: number): void {
    if (code === 0x5a) this.status = buf[start + 5];
    else if (code === 0x45) this.errors++;
  }
  onStartupPacket(): void {}
  onRun(buf: Buffer, start: number, end: number): void {
    this.queued.push(buf.subarray(start, end));
  }
}

/** The plain length-prefix loop deps.md measured: the floor any framer is compared against. */
function plainFrame(chunks: Buffer[]): number {
  let n = 0;
  let tail: Buffer | null = null;
  for (let chunk of chunks) {
    if (tail !== null) {
      chunk = Buffer.concat([tail, chunk]);
      tail = null;
    }
    let pos = 0;
    while (chunk.length - pos >= 5) {
      const end = pos + 1 + chunk.readInt32BE(pos + 1);
      if (end > chunk.length) break;
      n++;
      pos = end;
    }
    if (pos < chunk.length) tail = chunk.subarray(pos);
  }
  return n;
}

const { stream, messages } = buildStream();
const chunks = cut(stream);
console.log(
  `stream: ${messages} messages (${ROWS} DataRows x 5 text columns), ${(stream.length / 1e6).toFixed(2)} MB, ` +
    `${(stream.length / ROWS).toFixed(1)} B/row, ${chunks.length} chunks of 64 KB`,
);

const counter = new Counter();
measure('Framer (onMessage per frame + onRun)', stream.length, messages, () => {
  const framer = new Framer(counter);
  for (const c of chunks) framer.feed(c);
});
if (counter.runBytes % stream.length !== 0 || counter.messages % messages !== 0 || counter.ready * messages !== counter.messages) {
  throw new Error('framer miscounted');
}

measure('Framer + forwarding handler (runs queued)', stream.length, messages, () => {
  const forwarder = new Forwarder();
  const framer = new Framer(forwarder);
  for (const c of chunks) framer.feed(c);
  if (forwarder.status !== 0x49) throw new Error('missed ReadyForQuery');
});

measure('plain length-prefix loop (reference)', stream.length, messages, () => {
  if (plainFrame(chunks) !== messages) throw new Error('plain framer miscounted');
});

measure('pg-protocol Parser (full decode)', stream.length, messages, () => {
  const parser = new Parser();
  let n = 0;
  for (const c of chunks) parser.parse(c, () => n++);
  if (n !== messages) throw new Error('pg-protocol miscounted');
});

// The OLTP shape: every read holds one client batch (Parse/Bind/Describe/Execute/Sync), so the
// per-feed cost matters more than the per-byte cost.
const batch = Buffer.concat([
  serialize.parse({ text: 'SELECT abalance FROM pgbench_accounts WHERE aid = $1' }),
  serialize.bind({ values: ['12345'] }),
  serialize.describe({ type: 'P' }),
  serialize.execute(),
  serialize.sync(),
]);
const batches = Array.from({ length: 10_000 }, () => Buffer.from(batch));
const clientSide = new Counter();
const clientFramer = new Framer(clientSide, { lengthLimits: frontendLengthLimits() });
measure('Framer, 10k one-batch chunks (P/B/D/E/S)', batch.length * batches.length, 5 * batches.length, () => {
  for (const c of batches) clientFramer.feed(c);
});
