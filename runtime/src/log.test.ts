import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, formatPrettyLine, logLevel } from './log.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; lines: string[] } {
  const lines: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter((l) => l !== ''));
      cb();
    },
  }) as Writable & { isTTY: boolean; lines: string[] };
  w.isTTY = isTTY;
  w.lines = lines;
  return w;
}

describe('createLogger', () => {
  it('writes JSON lines when the destination is not a terminal, with secrets redacted', () => {
    const out = sink(false);
    const log = createLogger({ destination: out });
    log.info({ user: 'alice', password: 'hunter2', creds: { server_password: 'x' } }, 'login');
    const rec = JSON.parse(out.lines[0]);
    assert.equal(rec.msg, 'login');
    assert.equal(rec.user, 'alice');
    assert.equal(rec.password, '[redacted]');
    assert.equal(rec.creds.server_password, '[redacted]');
    assert.ok(!out.lines[0].includes('hunter2'));
  });

  it('writes readable lines on a terminal, JSON when log_format = json', () => {
    const tty = sink(true);
    createLogger({ destination: tty }).warn({ client: '127.0.0.1:5000', n: 3 }, 'slow client');
    assert.match(tty.lines[0], /^\d\d:\d\d:\d\d\.\d{3} .*WARN.* slow client client=127\.0\.0\.1:5000 n=3$/);
    const json = sink(true);
    createLogger({ destination: json, format: 'json' }).info('x');
    assert.equal(JSON.parse(json.lines[0]).msg, 'x');
  });

  it('honours the level', () => {
    const out = sink(false);
    const log = createLogger({ destination: out, level: 'warn' });
    log.info('hidden');
    log.error('shown');
    assert.deepEqual(out.lines.map((l) => JSON.parse(l).msg), ['shown']);
  });
});

describe('logLevel', () => {
  it('takes a plain level or the first bare level of a RUST_LOG-style directive', () => {
    assert.equal(logLevel(undefined), 'info');
    assert.equal(logLevel('debug'), 'debug');
    assert.equal(logLevel('pgdog=trace,WARN'), 'warn');
    assert.equal(logLevel('nonsense'), 'info');
  });
});

describe('formatPrettyLine', () => {
  it('quotes values that need it and prints error stacks', () => {
    const line = formatPrettyLine({ level: 50, time: 0, msg: 'boom', text: 'two words', err: { message: 'bad', stack: 'Error: bad\n    at x' } });
    assert.match(line, /boom text="two words" err="bad"\nError: bad\n {4}at x$/);
  });
});
