import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WaiterQueue, type Waiter } from './waiters.js';

function waiter(name: string, now: number, timeoutMs: number, log: string[]): Waiter<string> {
  return { enqueuedAt: now, deadline: now + timeoutMs, timeoutMs, settled: false, resolve: (v) => log.push(`${name}:${v}`), reject: () => log.push(`${name}:timeout`) };
}

test('waiters: FIFO service, one timer times out only the waiters past their deadline', async () => {
  const log: string[] = [];
  const q = new WaiterQueue<string>((w) => w.reject(new Error('timeout')));
  const now = performance.now();
  // Pushed out of deadline order; a (served at once) has a deadline that passes while others wait.
  q.push(waiter('a', now, 50, log), now);
  q.push(waiter('b', now, 30, log), now);
  q.push(waiter('c', now, 60, log), now);
  q.push(waiter('d', now, 60_000, log), now);
  assert.equal(q.length, 4);
  const first = q.shift();
  assert.ok(first !== null);
  first.settled = true;
  first.resolve('served');
  await sleep(120);
  assert.deepEqual(log, ['a:served', 'b:timeout', 'c:timeout']);
  assert.equal(q.length, 1);
  const last = q.shift();
  assert.equal(last?.timeoutMs, 60_000);
  assert.equal(q.shift(), null);
  assert.equal(q.length, 0);
  assert.deepEqual(q.takeAll(), []);
});

test('waiters: a timer left armed with no one waiting does not keep the process alive; takeAll stops it', async () => {
  const log: string[] = [];
  const q = new WaiterQueue<string>((w) => w.reject(new Error('timeout')));
  const now = performance.now();
  q.push(waiter('a', now, 60_000, log), now);
  const handles = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = handles();
  assert.ok(before >= 1);
  q.shift();
  // Still armed for a's deadline, but unreferenced.
  assert.equal(handles(), before - 1);
  q.push(waiter('b', performance.now(), 60_000, log), performance.now());
  assert.equal(handles(), before);
  assert.equal(q.takeAll().length, 1);
  assert.equal(q.length, 0);
  assert.equal(handles(), before - 1);
  assert.deepEqual(log, []);
});
