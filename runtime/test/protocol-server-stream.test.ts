// Real PostgreSQL 15 bytes through our Framer and backend decoders, with pg-protocol's Parser fed
// the same chunks as the oracle. The cluster is private to this file (initdb into a temp dir).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'pg-protocol';
import { Parser } from 'pg-protocol/dist/parser.js';
import { Framer, FramerMode } from '../src/protocol/framer.js';
import { BackendCode } from '../src/protocol/codes.js';
import { readErrorFields } from '../src/protocol/backend/error-response.js';
import { AuthenticationType, readAuthentication } from '../src/protocol/backend/auth.js';
import { readParameterStatus } from '../src/protocol/backend/parameter-status.js';
import { readBackendKeyData } from '../src/protocol/backend/backend-key-data.js';
import { readyForQueryStatus, TransactionStatus } from '../src/protocol/backend/ready-for-query.js';
import { readRowDescription } from '../src/protocol/backend/row-description.js';
import { readDataRow } from '../src/protocol/backend/data-row.js';
import { commandCompleteRowCount, readCommandComplete } from '../src/protocol/backend/command-complete.js';
import { Recorder, type RecordedFrame } from '../src/protocol/testing/chunks.js';

const BIN = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

function asPostgres(cmd: string, args: string[]): void {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: 'pipe' });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** One raw connection: our framer and pg-protocol's parser see exactly the same chunks. */
class Connection {
  readonly rec = new Recorder();
  readonly framer = new Framer(this.rec, { mode: FramerMode.Typed });
  readonly pgMessages: any[] = [];
  private readonly parser = new Parser();
  readonly socket: net.Socket;
  private waiter: { test: () => boolean; resolve: () => void } | null = null;
  chunks = 0;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    // The oversized-message test ends in a reset from the server; that is the expected outcome.
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk) => {
      this.chunks++;
      assert.equal(this.framer.feed(chunk), null);
      this.parser.parse(chunk, (m) => this.pgMessages.push(m));
      if (this.waiter?.test()) this.waiter.resolve();
    });
  }

  /** Sends, then waits for the next ReadyForQuery (or `until`), returning the new frames. */
  async roundTrip(bytes: Buffer, until = (f: RecordedFrame) => f.code === BackendCode.ReadyForQuery): Promise<RecordedFrame[]> {
    const from = this.rec.frames.length;
    const done = new Promise<void>((resolve) => {
      this.waiter = { test: () => this.rec.frames.slice(from).some(until), resolve };
    });
    this.socket.write(bytes);
    await done;
    this.waiter = null;
    return this.rec.frames.slice(from);
  }

  /** pg-protocol's view of the last `n` messages. */
  lastPg(n: number): any[] {
    return this.pgMessages.slice(-n);
  }

  close(): void {
    this.socket.end(serialize.end());
  }
}

const letters = (frames: RecordedFrame[]) => frames.map((f) => String.fromCharCode(f.code)).join('');
const whole = (f: RecordedFrame): [Buffer, number, number] => [f.bytes, 0, f.bytes.length];

describe('a real PostgreSQL stream through the Framer', () => {
  let dir = '';
  let port = 0;
  let conn: Connection;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgdog-protocol-'));
    if (asRoot) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, id('-u'), id('-g'));
    }
    port = await freePort();
    asPostgres(`${BIN}/initdb`, ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const hba = join(dir, 'data', 'pg_hba.conf');
    writeFileSync(hba, [
      'host all scram_user 127.0.0.1/32 scram-sha-256',
      'host all md5_user 127.0.0.1/32 md5',
      'host all all 127.0.0.1/32 trust',
      'local all all trust',
      '',
    ].join('\n'));
    appendFileSync(join(dir, 'data', 'postgresql.conf'), `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = off\n`);
    asPostgres(`${BIN}/pg_ctl`, ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', 'start']);
    asPostgres('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-X', '-q', '-c',
      "CREATE ROLE scram_user LOGIN PASSWORD 'x'; SET password_encryption = 'md5'; CREATE ROLE md5_user LOGIN PASSWORD 'x';"]);
    conn = new Connection(port);
  });

  after(() => {
    conn?.close();
    if (dir && existsSync(join(dir, 'data', 'postmaster.pid'))) {
      spawnSync(asRoot ? 'runuser' : `${BIN}/pg_ctl`, asRoot
        ? ['-u', 'postgres', '--', `${BIN}/pg_ctl`, '-D', join(dir, 'data'), '-m', 'immediate', 'stop']
        : ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('login: AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery', async () => {
    const frames = await conn.roundTrip(serialize.startup({ user: 'postgres', database: 'postgres', application_name: 'framer' }));
    assert.match(letters(frames), /^RS+KZ$/);
    assert.deepEqual(readAuthentication(...whole(frames[0])), { type: AuthenticationType.Ok });
    const params = new Map(frames.filter((f) => f.code === BackendCode.ParameterStatus).map((f) => {
      const p = readParameterStatus(...whole(f));
      return [p.name, p.value];
    }));
    assert.equal(params.get('application_name'), 'framer');
    assert.match(params.get('server_version') ?? '', /^15\./);
    const pgParams = conn.pgMessages.filter((m) => m.name === 'parameterStatus');
    assert.deepEqual([...params], pgParams.map((m) => [m.parameterName, m.parameterValue]));
    const key = readBackendKeyData(...whole(frames[frames.length - 2]));
    const pgKey = conn.pgMessages.find((m) => m.name === 'backendKeyData');
    assert.equal(key.processId, pgKey.processID);
    assert.equal(key.secretKey.readInt32BE(0), pgKey.secretKey);
    assert.equal(readyForQueryStatus(frames[frames.length - 1].bytes, 0), TransactionStatus.Idle);
  });

  it('a 20,000-row result in many TCP chunks: same frames as pg-protocol, row count from the tag', async () => {
    const chunksBefore = conn.chunks;
    const frames = await conn.roundTrip(serialize.query("SELECT g, repeat('x', g % 200) AS pad FROM generate_series(1, 20000) g"));
    assert.ok(conn.chunks - chunksBefore > 10, 'arrived in many chunks');
    assert.equal(letters(frames), 'T' + 'D'.repeat(20000) + 'CZ');
    assert.deepEqual(readRowDescription(...whole(frames[0])).map((c) => [c.name, c.typeOid]), [['g', 23], ['pad', 25]]);
    const pg = conn.lastPg(frames.length);
    for (let i = 1; i <= 20000; i += 997) {
      assert.deepEqual(readDataRow(...whole(frames[i])).map((v) => v?.toString() ?? null), pg[i].fields);
    }
    assert.equal(readCommandComplete(...whole(frames[20001])), 'SELECT 20000');
    assert.equal(commandCompleteRowCount(...whole(frames[20001])), 20000);
  });

  it('a DataRow far larger than a chunk is joined once and intact', async () => {
    const frames = await conn.roundTrip(serialize.query("SELECT repeat('y', 300000) AS big, NULL::text AS nothing"));
    assert.equal(letters(frames), 'TDCZ');
    const [big, nothing] = readDataRow(...whole(frames[1]));
    assert.equal(big?.length, 300000);
    assert.ok(big?.every((b) => b === 0x79));
    assert.equal(nothing, null);
  });

  it('ErrorResponse and NoticeResponse fields match pg-protocol, ReadyForQuery tracks the transaction', async () => {
    assert.equal(readyForQueryStatus((await conn.roundTrip(serialize.query('BEGIN'))).at(-1)!.bytes, 0), TransactionStatus.InTransaction);
    const frames = await conn.roundTrip(serialize.query('SELECT * FROM no_such_table'));
    assert.equal(letters(frames), 'EZ');
    const ours = readErrorFields(...whole(frames[0]));
    const theirs = conn.lastPg(2)[0];
    assert.equal(ours.code, '42P01');
    assert.equal(ours.severityNonLocalized, 'ERROR');
    for (const k of ['severity', 'code', 'message', 'position', 'file', 'line', 'routine'] as const) assert.equal(ours[k], theirs[k], k);
    assert.equal(readyForQueryStatus(frames[1].bytes, 0), TransactionStatus.Failed);
    assert.equal(readyForQueryStatus((await conn.roundTrip(serialize.query('ROLLBACK'))).at(-1)!.bytes, 0), TransactionStatus.Idle);
    const notice = await conn.roundTrip(serialize.query("DO $$ BEGIN RAISE WARNING 'careful' USING HINT = 'h'; END $$"));
    assert.equal(letters(notice), 'NCZ');
    const n = readErrorFields(...whole(notice[0]));
    assert.deepEqual([n.severity, n.code, n.message, n.hint], ['WARNING', '01000', 'careful', 'h']);
  });

  it('extended protocol with binary parameters, and COPY out', async () => {
    const int8 = Buffer.alloc(8);
    int8.writeBigInt64BE(9007199254740993n);
    const frames = await conn.roundTrip(Buffer.concat([
      serialize.parse({ text: 'SELECT $1::int8 + 1 AS n, $2::text AS t', types: [20, 25] }),
      serialize.bind({ values: [int8, 'héllo'] }),
      serialize.describe({ type: 'P' }),
      serialize.execute(),
      serialize.sync(),
    ]));
    assert.equal(letters(frames), '12TDCZ');
    assert.deepEqual(readDataRow(...whole(frames[3])).map((v) => v?.toString()), ['9007199254740994', 'héllo']);
    const copy = await conn.roundTrip(serialize.query('COPY (SELECT g FROM generate_series(1, 500) g) TO STDOUT'));
    assert.equal(letters(copy), 'H' + 'd'.repeat(500) + 'cCZ');
    assert.equal(commandCompleteRowCount(...whole(copy[copy.length - 2])), 500);
  });

  it('decodes the server\'s SCRAM and MD5 authentication requests', async () => {
    for (const [user, expected] of [['scram_user', AuthenticationType.SASL], ['md5_user', AuthenticationType.MD5Password]] as const) {
      const c = new Connection(port);
      const [frame] = await c.roundTrip(serialize.startup({ user, database: 'postgres' }), (f) => f.code === BackendCode.Authentication);
      const request = readAuthentication(...whole(frame));
      assert.equal(request.type, expected);
      if (request.type === AuthenticationType.SASL) assert.deepEqual(request.mechanisms, ['SCRAM-SHA-256']);
      if (request.type === AuthenticationType.MD5Password) assert.equal(request.salt.length, 4);
      c.close();
    }
  });

  it('PostgreSQL itself reports an oversized Sync as "invalid message length" (the text our framer uses)', async () => {
    const c = new Connection(port);
    await c.roundTrip(serialize.startup({ user: 'postgres', database: 'postgres' }));
    const sync = Buffer.alloc(5 + 20000);
    sync[0] = 0x53;
    sync.writeInt32BE(4 + 20000, 1);
    const closed = new Promise((r) => c.socket.once('close', r));
    c.socket.write(sync);
    await closed;
    // A COMMERROR: logged, not sent, so read the server log.
    let log = '';
    for (let i = 0; i < 50 && !log.includes('invalid message length'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      log = readFileSync(join(dir, 'log'), 'utf8');
    }
    assert.match(log, /invalid message length/);
  });
});
