import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { Harness, type PooledClient } from './testing/pooled-harness.js';
import type { PgModel } from './testing/pg-model.js';

const parse = (name: string, text: string, types: number[] = []): Buffer => serialize.parse({ name, text, types });
const bind = (statement: string, values: string[] = []): Buffer => serialize.bind({ statement, values });
const describeS = (name: string): Buffer => serialize.describe({ type: 'S', name });
const closeS = (name: string): Buffer => serialize.close({ type: 'S', name });
const execute = (): Buffer => serialize.execute({});
const sync = (): Buffer => serialize.sync();
const flush = (): Buffer => serialize.flush();

/** Runs one batch and checks the client sees exactly what PostgreSQL would have sent it. */
function same(h: Harness, c: PooledClient, s: PgModel, frames: Buffer[]): string[] {
  const [seen, direct] = h.run(c, s, frames);
  assert.deepEqual(seen, direct);
  const [ours, theirs] = h.agree(s);
  assert.deepEqual(ours, theirs, 'pgdog and the server agree on its statements');
  return seen;
}

test('a named statement moves between servers: the second gets a Parse whose answer is swallowed', () => {
  const h = new Harness(2);
  const [a, b] = h.servers;
  const c = h.client();
  assert.deepEqual(same(h, c, a, [parse('s1', 'SELECT 1'), bind('s1'), execute(), sync()]), ['1', '2', 'C:SELECT SELECT 1', 'Z']);
  assert.deepEqual(same(h, c, b, [bind('s1'), execute(), sync()]), ['2', 'C:SELECT SELECT 1', 'Z']);
  assert.deepEqual([...b.statements.keys()], ['__pgdog_1']);
});

test('a Parse the server already has is dropped and answered locally', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c1 = h.client();
  const c2 = h.client();
  same(h, c1, s, [parse('q', 'SELECT 42'), sync()]);
  assert.equal(s.parses, 1);
  assert.deepEqual(same(h, c2, s, [parse('other_name', 'SELECT 42'), bind('other_name'), execute(), sync()]), ['1', '2', 'C:SELECT SELECT 42', 'Z']);
  assert.equal(s.parses, 1, 'shared by text, not by name');
});

test('two clients with one name for different SQL never collide on a shared server', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c1 = h.client();
  const c2 = h.client();
  same(h, c1, s, [parse('stmt', 'SELECT a'), sync()]);
  same(h, c2, s, [parse('stmt', 'SELECT b'), sync()]);
  assert.deepEqual(same(h, c1, s, [bind('stmt'), execute(), sync()]), ['2', 'C:SELECT SELECT a', 'Z']);
  assert.deepEqual(same(h, c2, s, [bind('stmt'), execute(), sync()]), ['2', 'C:SELECT SELECT b', 'Z']);
});

test('unnamed statements pass through untouched, mixed with named ones in one batch', () => {
  const h = new Harness(2);
  const [a, b] = h.servers;
  const c = h.client();
  same(h, c, a, [parse('', 'SELECT u'), bind(''), execute(), parse('n', 'SELECT n'), bind('n'), execute(), bind(''), execute(), sync()]);
  same(h, c, b, [parse('', 'SELECT u2'), bind(''), execute(), bind('n'), execute(), sync()]);
  assert.equal(c.ps.classify(0x50, parse('', 'x'), 0, parse('', 'x').length), false);
});

test('Describe of a statement the server lacks gets the Parse first (standalone Describe)', () => {
  const h = new Harness(2);
  const [a, b] = h.servers;
  const c = h.client();
  same(h, c, a, [parse('d', 'SELECT d'), sync()]);
  assert.deepEqual(same(h, c, b, [describeS('d'), sync()]), ['n', 'Z']);
});

test('a failed Parse leaves no mapping and no server statement; the next statement works', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c = h.client();
  const seen = same(h, c, s, [parse('bad', 'SELECT fail'), bind('bad'), execute(), sync()]);
  assert.equal(seen[0].startsWith('E:42601'), true);
  same(h, c, s, [bind('bad'), execute(), sync()]);
  assert.deepEqual(same(h, c, s, [parse('bad', 'SELECT ok'), bind('bad'), execute(), sync()]), ['1', '2', 'C:SELECT SELECT ok', 'Z']);
});

test('an error before a dropped Parse: no ParseComplete, and the name is not kept', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c1 = h.client();
  const c2 = h.client();
  same(h, c1, s, [parse('x', 'SELECT x'), sync()]);
  same(h, c2, s, [parse('', 'SELECT fail'), parse('y', 'SELECT x'), sync()]);
  same(h, c2, s, [bind('y'), execute(), sync()]);
});

test('an error before an injected Parse and an eviction: both undone, server view stays right', () => {
  const h = new Harness(2, 1);
  const [a, b] = h.servers;
  const c = h.client();
  same(h, c, a, [parse('p1', 'SELECT 1'), parse('p2', 'SELECT 2'), sync()]);
  same(h, c, b, [bind('p1'), execute(), sync()]);
  // p2 would evict p1 from b, but the failing unnamed Parse makes b skip both.
  same(h, c, b, [parse('', 'SELECT fail'), bind('p2'), execute(), sync()]);
  same(h, c, b, [bind('p2'), execute(), bind('p1'), execute(), sync()]);
});

test('Bind / Describe of an unknown name: PostgreSQL\'s 26000 with the client\'s name, even for pgdog\'s prefix', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c1 = h.client();
  const c2 = h.client();
  same(h, c1, s, [parse('mine', 'SELECT secret'), sync()]);
  const seen = same(h, c2, s, [bind('nope'), execute(), sync()]);
  assert.deepEqual(seen, ['E:26000:prepared statement "nope" does not exist', 'Z']);
  // c2 cannot reach c1's statement through its server-side name.
  assert.deepEqual(h.run(c2, s, [bind('__pgdog_1'), execute(), sync()])[0], ['E:26000:prepared statement "__pgdog_1" does not exist', 'Z']);
  same(h, c2, s, [describeS('nope'), sync()]);
});

test('Parse of a name the client already has: 42P05, as PostgreSQL', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c = h.client();
  same(h, c, s, [parse('dup', 'SELECT 1'), sync()]);
  const seen = same(h, c, s, [parse('dup', 'SELECT 2'), bind('dup'), execute(), sync()]);
  assert.equal(seen[0], 'E:42P05:prepared statement "dup" already exists');
});

test('Close of a name is local: CloseComplete, the name goes, the server and other clients keep it', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c1 = h.client();
  const c2 = h.client();
  same(h, c1, s, [parse('k', 'SELECT k'), sync()]);
  same(h, c2, s, [parse('k', 'SELECT k'), sync()]);
  const [seen] = h.run(c1, s, [closeS('k'), sync()]);
  assert.deepEqual(seen, ['3', 'Z']);
  assert.deepEqual(h.run(c1, s, [bind('k'), sync()])[0], ['E:26000:prepared statement "k" does not exist', 'Z']);
  assert.deepEqual(h.run(c2, s, [bind('k'), execute(), sync()])[0], ['2', 'C:SELECT SELECT k', 'Z']);
  // Closing an unknown name is not an error, and Close then Parse of the same name in one batch works.
  assert.deepEqual(h.run(c1, s, [closeS('never'), closeS('k'), parse('k', 'SELECT k2'), bind('k'), execute(), sync()])[0], ['3', '3', '1', '2', 'C:SELECT SELECT k2', 'Z']);
});

test('names longer than 63 bytes: keyed on the first 63 bytes, as PostgreSQL', () => {
  const h = new Harness(1);
  const [s] = h.servers;
  const c = h.client();
  const base = 'n'.repeat(63);
  same(h, c, s, [parse(base + 'A', 'SELECT long'), sync()]);
  assert.deepEqual(same(h, c, s, [bind(base + 'B'), execute(), sync()]), ['2', 'C:SELECT SELECT long', 'Z']);
  assert.equal(same(h, c, s, [parse(base + 'C', 'SELECT other'), sync()])[0], `E:42P05:prepared statement "${base}C" already exists`);
});

test('eviction: the LRU statement is closed in the same write and its CloseComplete swallowed', () => {
  const h = new Harness(1, 2);
  const [s] = h.servers;
  const c = h.client();
  same(h, c, s, [parse('a', 'SELECT a'), parse('b', 'SELECT b'), sync()]);
  same(h, c, s, [bind('a'), execute(), sync()]);
  same(h, c, s, [parse('c', 'SELECT c'), sync()]);
  assert.deepEqual([...s.statements.values()].sort(), ['SELECT a', 'SELECT c']);
  // b comes back on demand.
  assert.deepEqual(same(h, c, s, [bind('b'), execute(), sync()]), ['2', 'C:SELECT SELECT b', 'Z']);
  assert.equal(s.statements.size, 2);
});

test('a batch needing more statements than the limit keeps them all until it is done', () => {
  const h = new Harness(1, 1);
  const [s] = h.servers;
  const c = h.client();
  same(h, c, s, [parse('a', 'SELECT a'), parse('b', 'SELECT b'), bind('a'), execute(), bind('b'), execute(), sync()]);
});

test('pipelined batches (Flush and Sync) line up with their answers', () => {
  const h = new Harness(2);
  const [a, b] = h.servers;
  const c = h.client();
  same(h, c, a, [parse('p', 'SELECT p'), sync()]);
  const frames = [[parse('', 'SELECT u'), bind(''), execute(), sync()], [parse('q', 'SELECT q'), describeS('q'), flush()], [bind('p'), execute(), bind('q'), execute(), sync()]];
  const local: Buffer[] = [];
  for (const f of frames) local.push(...h.write(c, b, f));
  const seen = [...local, ...h.answer(c, b)];
  const direct = c.direct.feed(Buffer.concat(frames.flat()));
  assert.equal(seen.length, direct.length);
  assert.deepEqual(seen.map((f) => f[0]), direct.map((f) => f[0]));
  assert.deepEqual(h.agree(b)[0], h.agree(b)[1]);
});

test('1,000 statements against a limit of 100, three clients over two servers: every answer as PostgreSQL', () => {
  const h = new Harness(2, 100);
  const clients = [h.client(), h.client(), h.client()];
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const prepared = clients.map(() => new Set<number>());
  for (let round = 0; round < 3000; round++) {
    const ci = rnd(3);
    const c = clients[ci];
    const s = h.servers[rnd(2)];
    const frames: Buffer[] = [];
    for (let k = 0; k < 1 + rnd(3); k++) {
      const n = rnd(1000);
      if (!prepared[ci].has(n)) {
        frames.push(parse(`st${n}`, `SELECT ${n}`));
        prepared[ci].add(n);
      }
      frames.push(bind(`st${n}`), execute());
    }
    frames.push(sync());
    same(h, c, s, frames);
    assert.ok(h.registry.for(s).size <= 100);
  }
  assert.ok(h.cache.size <= 1000);
});
