import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionTracker } from './transaction-tracker.js';

const I = 0x49;
const T = 0x54;
const c = (s: string): number => s.charCodeAt(0);

/** Feeds client frames (a string of codes) and server frames; returns release points. */
function run(t: TransactionTracker, steps: [('client' | 'server'), string, number?][]): boolean[] {
  const out: boolean[] = [];
  for (const [side, codes, status] of steps) {
    for (const code of codes) {
      if (side === 'client') t.client(c(code));
      else out.push(t.server(c(code), status ?? I));
    }
  }
  return out;
}

describe('TransactionTracker', () => {
  it('a simple query is done at its ReadyForQuery', () => {
    const t = new TransactionTracker();
    t.client(c('Q'));
    assert.equal(t.outstanding, 1);
    assert.deepEqual(run(t, [['server', 'TDCZ']]), [false, false, false, true]);
    assert.equal(t.idle, true);
  });

  it('an extended batch holds until the ReadyForQuery of its Sync, pipelined batches until the last', () => {
    const t = new TransactionTracker();
    run(t, [['client', 'PBDES'], ['client', 'PBDES']]);
    assert.equal(t.outstanding, 2);
    assert.deepEqual(run(t, [['server', '12TDCZ'], ['server', '12TDCZ']]).filter(Boolean).length, 1);
    assert.equal(t.idle, true);
  });

  it('Parse/Bind/Execute without Sync (Flush) leaves the batch open', () => {
    const t = new TransactionTracker();
    run(t, [['client', 'PBEH'], ['server', '12DC']]);
    assert.equal(t.outstanding, 0);
    assert.equal(t.unsynced, 4);
    t.client(c('S'));
    assert.equal(t.unsynced, 0);
    assert.deepEqual(run(t, [['server', 'Z']]), [true]);
  });

  it('a transaction block is not idle until its ReadyForQuery says I', () => {
    const t = new TransactionTracker();
    t.client(c('Q'));
    run(t, [['server', 'CZ', T]]);
    assert.equal(t.outstanding, 0);
    assert.equal(t.idle, false);
    t.client(c('Q'));
    run(t, [['server', 'CZ', I]]);
    assert.equal(t.idle, true);
  });

  it('COPY FROM STDIN over the extended protocol: the Sync behind Execute is not answered', () => {
    const t = new TransactionTracker();
    run(t, [['client', 'PBES']]);
    assert.equal(t.outstanding, 1);
    assert.deepEqual(run(t, [['server', '12G']]), [false, false, false]);
    assert.equal(t.inCopy, true);
    assert.equal(t.outstanding, 0);
    assert.equal(t.idle, false, 'a running COPY is not idle');
    run(t, [['client', 'ddS']]);
    assert.equal(t.outstanding, 0, 'Sync inside COPY is ignored by PostgreSQL');
    run(t, [['client', 'cS']]);
    assert.equal(t.inCopy, false);
    assert.equal(t.outstanding, 1);
    assert.deepEqual(run(t, [['server', 'CZ']]), [false, true]);
  });

  it('COPY FROM STDIN by simple query, and COPY TO STDOUT', () => {
    const t = new TransactionTracker();
    run(t, [['client', 'Q'], ['server', 'G'], ['client', 'ddc']]);
    assert.equal(t.outstanding, 1);
    assert.deepEqual(run(t, [['server', 'CZ']]), [false, true]);
    run(t, [['client', 'Q']]);
    assert.deepEqual(run(t, [['server', 'HddcCZ']]).at(-1), true);
  });

  it('remembers a server error until the next ReadyForQuery; abandon answers what is due', () => {
    const t = new TransactionTracker();
    run(t, [['client', 'PBES'], ['client', 'Q'], ['server', 'E']]);
    assert.equal(t.serverErrorSeen, true);
    assert.equal(t.abandon(), 2);
    assert.equal(t.outstanding, 0);
    assert.equal(t.serverErrorSeen, false);
    assert.equal(t.idle, true);
  });
});
