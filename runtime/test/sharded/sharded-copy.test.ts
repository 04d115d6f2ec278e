// Issue 7 acceptance: COPY ... FROM STDIN of 100,000 rows through pgdog into 3 shards, in text,
// CSV with HEADER, and binary, sent in chunks cut at arbitrary bytes. The client sees one
// CommandComplete "COPY 100000"; each shard holds exactly the rows PostgreSQL's hash
// partitioning gives it. A malformed row in the middle fails the whole COPY and no shard keeps
// any row of it. Then: the live column order (no column list), CopyFail, a shard's own error,
// client transactions, an omnisharded table, COPY TO STDOUT merged, and psql's \copy.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServers, stopAll, type PgServer } from '@pgdog/testing';
import { binaryPayload, chunks, copyRows, csvPayload, textPayload } from './support/copy-payloads.js';
import { createHashOracle, onShard, shardOfKey, shardRows } from './support/placement.js';
import { errorFields, firstError, message, RawClient, tags, type Frame } from './support/raw-client.js';
import { APP_USER, createShardDatabases, SHARD_SERVER_OPTIONS, startShardedPgdog, type ShardedPgdog, type ShardSpec } from './support/sharded-pgdog.js';

const N = 100_000;
const rows = copyRows(N);
const FORMATS = {
  text: { option: '', payload: textPayload },
  csv: { option: ' WITH (FORMAT csv, HEADER true)', payload: csvPayload },
  binary: { option: ' WITH (FORMAT binary)', payload: binaryPayload },
} as const;
let pgdog: ShardedPgdog | null = null;
let shards: ShardSpec[] = [];
let client: RawClient;

before(async () => {
  const [a, b] = (await startServers(2, SHARD_SERVER_OPTIONS)) as [PgServer, PgServer];
  await createShardDatabases(a, ['copy_0', 'copy_2']);
  await createShardDatabases(b, ['copy_1']);
  shards = [{ server: a, database: 'copy_0' }, { server: b, database: 'copy_1' }, { server: a, database: 'copy_2' }];
  await createHashOracle(shards);
  pgdog = await startShardedPgdog({ databases: [{ name: 'events', shards, shardingColumn: 'user_id', omnisharded: ['countries'] }], users: [{ name: APP_USER, database: 'events' }] });
  client = await RawClient.connect(pgdog.port, APP_USER, 'events');
  for (const f of Object.keys(FORMATS)) {
    for (const t of [`copy_${f}`, `copy_bad_${f}`, ...(f === 'text' ? ['copy_fail', 'copy_tx'] : [])]) {
      const out = await client.simple(`CREATE TABLE ${t} (user_id bigint, seq int, label text)`);
      assert.equal(firstError(out), null, `create ${t}`);
    }
  }
});

after(async () => {
  client?.close();
  await pgdog?.stop();
  await stopAll();
});

for (const [format, f] of Object.entries(FORMATS)) {
  describe(`COPY FROM STDIN, ${format}`, () => {
    it(`${N} rows: one CopyComplete with the total, each row on its hash shard`, async () => {
      const out = await client.copyIn(`COPY copy_${format} (user_id, seq, label) FROM STDIN${f.option}`, chunks(f.payload(rows)));
      assert.equal(firstError(out)?.M ?? null, null);
      assert.deepEqual(tags(out), [`COPY ${N}`]);
      const per = await shardRows(shards, `copy_${format}`, 'user_id');
      assert.deepEqual(per.map((p) => p.misplaced), [0, 0, 0], JSON.stringify(per));
      assert.equal(per.reduce((n, p) => n + p.total, 0), N);
      assert.ok(per.every((p) => p.total > N / 6), JSON.stringify(per));
    });

    it('the rows arrive intact (labels with tabs, quotes, newlines, multi-byte text, NULLs)', async () => {
      const expected = new Map(rows.map((r) => [r.seq, r]));
      let seen = 0;
      for (const s of shards) {
        const got = await onShard<{ user_id: string; seq: number; label: string | null }>(s, `SELECT user_id::text AS user_id, seq, label FROM copy_${format} WHERE seq % 97 = 0`);
        for (const g of got) {
          const e = expected.get(g.seq)!;
          assert.deepEqual([g.user_id, g.label], [String(e.userId), e.label], `seq ${g.seq}`);
          seen++;
        }
      }
      assert.equal(seen, Math.ceil(N / 97));
    });

    it('a malformed row in the middle fails the whole COPY; no shard keeps any row', async () => {
      const out = await client.copyIn(`COPY copy_bad_${format} (user_id, seq, label) FROM STDIN${f.option}`, chunks(f.payload(rows, N / 2)));
      const err = firstError(out);
      assert.notEqual(err, null, 'no error for a malformed row');
      assert.equal(out.filter((x) => x.code === 'E').length, 1, 'exactly one ErrorResponse');
      assert.deepEqual(tags(out), []);
      const per = await shardRows(shards, `copy_bad_${format}`, 'user_id');
      assert.deepEqual(per.map((p) => p.total), [0, 0, 0]);
      // The session is usable afterwards.
      assert.deepEqual(tags(await client.simple('SELECT 1')), ['SELECT 1']);
    });
  });
}

const small = copyRows(3000, 7);
const total = async (table: string): Promise<number[]> => (await shardRows(shards, table, 'user_id')).map((p) => p.total);
const statusOf = (frames: readonly Frame[]): string => String.fromCharCode(frames[frames.length - 1]!.body[0]!);

describe('COPY FROM STDIN, the rest of the contract', () => {
  it('without a column list, the live column order finds the key (generated columns left out)', async () => {
    assert.equal(firstError(await client.simple('CREATE TABLE copy_nolist (seq int, label text, user_id bigint, label_length int GENERATED ALWAYS AS (length(label)) STORED)')), null);
    const lines = small.map((r) => `${r.seq}\t${r.label === null ? '\\N' : 'x'}\t${r.userId}\n`).join('');
    const out = await client.copyIn('COPY copy_nolist FROM STDIN', chunks(Buffer.from(lines), 4096));
    assert.equal(firstError(out)?.M ?? null, null);
    assert.deepEqual(tags(out), [`COPY ${small.length}`]);
    const per = await shardRows(shards, 'copy_nolist', 'user_id');
    assert.deepEqual(per.map((p) => p.misplaced), [0, 0, 0]);
    assert.equal(per.reduce((n, p) => n + p.total, 0), small.length);
  });

  it('a table that does not exist gets 42P01; a table without the sharding column is refused', async () => {
    const missing = await client.copyIn('COPY no_such_table FROM STDIN', [Buffer.from('1\n')]);
    assert.equal(firstError(missing)?.C, '42P01');
    assert.equal(firstError(await client.simple('CREATE TABLE copy_keyless (a int, b text)')), null);
    const keyless = await client.copyIn('COPY copy_keyless FROM STDIN', [Buffer.from('1\tx\n')]);
    assert.equal(firstError(keyless)?.C, '0A000');
    assert.match(firstError(keyless)!.M!, /neither sharded nor omnisharded/);
  });

  it('CopyFail from the client: one 57014 error, no shard keeps a row', async () => {
    const out = await copyThenFail('COPY copy_fail (user_id, seq, label) FROM STDIN', textPayload(small), 'client gave up');
    assert.equal(out.filter((f) => f.code === 'E').length, 1);
    assert.equal(firstError(out)?.C, '57014');
    assert.match(firstError(out)!.M!, /client gave up/);
    assert.deepEqual(await total('copy_fail'), [0, 0, 0]);
    assert.deepEqual(tags(await client.simple('SELECT 1')), ['SELECT 1']);
  });

  it("a shard's own error (a bad value in another column) fails the COPY on every shard", async () => {
    const lines = small.map((r, i) => `${r.userId}\t${i === 2500 ? 'not-an-int' : r.seq}\tx\n`).join('');
    const out = await client.copyIn('COPY copy_fail (user_id, seq, label) FROM STDIN', chunks(Buffer.from(lines), 8192));
    assert.equal(out.filter((f) => f.code === 'E').length, 1);
    assert.equal(firstError(out)?.C, '22P02');
    assert.deepEqual(tags(out), []);
    assert.deepEqual(await total('copy_fail'), [0, 0, 0]);
    assert.equal(statusOf(out), 'I');
  });

  it('inside a transaction the shards are enlisted: ROLLBACK leaves nothing, COMMIT keeps every row', async () => {
    await client.simple('BEGIN');
    let out = await client.copyIn('COPY copy_tx (user_id, seq, label) FROM STDIN', [textPayload(small)]);
    assert.deepEqual(tags(out), [`COPY ${small.length}`]);
    assert.equal(statusOf(out), 'T');
    assert.deepEqual(tags(await client.simple('SELECT count(*) FROM copy_tx')), ['SELECT 1']);
    await client.simple('ROLLBACK');
    assert.deepEqual(await total('copy_tx'), [0, 0, 0]);

    await client.simple('BEGIN');
    out = await client.copyIn('COPY copy_tx (user_id, seq, label) FROM STDIN', [textPayload(small)]);
    assert.deepEqual(tags(out), [`COPY ${small.length}`]);
    assert.deepEqual(tags(await client.simple('COMMIT')), ['COMMIT']);
    assert.equal((await total('copy_tx')).reduce((a, b) => a + b, 0), small.length);

    // A failed COPY fails the transaction, as on one database; ROLLBACK reaches every shard.
    await client.simple('BEGIN');
    out = await client.copyIn('COPY copy_tx (user_id, seq, label) FROM STDIN', [textPayload(small, 10)]);
    assert.equal(statusOf(out), 'E');
    assert.equal(firstError(await client.simple('SELECT 1'))?.C, '25P02');
    assert.deepEqual(tags(await client.simple('ROLLBACK')), ['ROLLBACK']);
    assert.equal((await total('copy_tx')).reduce((a, b) => a + b, 0), small.length);
  });

  it('through the extended protocol a COPY over several shards is refused (0A000), not hung', async () => {
    const out = await client.extended('COPY copy_fail (user_id, seq, label) FROM STDIN', []);
    assert.equal(firstError(out)?.C, '0A000');
    assert.deepEqual(tags(await client.simple('SELECT 1')), ['SELECT 1']);
  });

  it('an omnisharded table gets every row on every shard, and COPY n counts them once', async () => {
    assert.equal(firstError(await client.simple('CREATE TABLE countries (code text, name text)')), null);
    const out = await client.copyIn('COPY countries FROM STDIN WITH (FORMAT csv)', [Buffer.from('fr,France\nde,Germany\n'), Buffer.from('jp,Japan\n')]);
    assert.deepEqual(tags(out), ['COPY 3']);
    for (const s of shards) assert.equal((await onShard<{ n: string }>(s, 'SELECT count(*) AS n FROM countries'))[0]!.n, '3');
  });
});

describe('COPY TO STDOUT over every shard', () => {
  it('text, CSV with one header, binary with one file header and trailer; COPY n summed', async () => {
    const text = await copyOut('COPY copy_text TO STDOUT');
    assert.deepEqual(text.tags, [`COPY ${N}`]);
    assert.equal(text.data.toString('utf8').split('\n').length - 1, N);
    assert.equal(text.responses, 1);

    const csv = await copyOut('COPY copy_text (seq, user_id) TO STDOUT WITH (FORMAT csv, HEADER)');
    const lines = csv.data.toString('utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'seq,user_id');
    assert.equal(lines.length, N + 1);
    assert.equal(new Set(lines.slice(1).map((l) => Number(l.split(',')[0]))).size, N);

    const bin = await copyOut('COPY copy_text (user_id, seq) TO STDOUT WITH (FORMAT binary)');
    assert.deepEqual(tags(await client.simple('CREATE TABLE copy_roundtrip (user_id bigint, seq int)')), ['CREATE TABLE']);
    const back = await client.copyIn('COPY copy_roundtrip (user_id, seq) FROM STDIN WITH (FORMAT binary)', chunks(bin.data, 30_000));
    assert.deepEqual(tags(back), [`COPY ${N}`]);
    assert.deepEqual((await shardRows(shards, 'copy_roundtrip', 'user_id')).map((p) => p.misplaced), [0, 0, 0]);
  });

  it('COPY (query) TO STDOUT over several shards is refused, not concatenated', async () => {
    const out = await client.simple('COPY (SELECT * FROM copy_text ORDER BY seq LIMIT 5) TO STDOUT');
    assert.equal(firstError(out)?.C, '0A000');
  });
});

describe("psql's \\copy through pgdog", () => {
  it('loads a CSV file into the shards and reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgdog-copy-'));
    try {
      const file = join(dir, 'rows.csv');
      writeFileSync(file, csvPayload(small).subarray(`user_id,seq,label\n`.length));
      const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(pgdog!.port), PGUSER: APP_USER, PGDATABASE: 'events', PGSSLMODE: 'disable' };
      const psql = shards[0]!.server.pgbin('psql')!;
      const load = await run(psql, ['-X', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE TABLE copy_psql (user_id bigint, seq int, label text)', '-c', `\\copy copy_psql (user_id, seq, label) FROM '${file}' WITH (FORMAT csv)`], env);
      assert.equal(load.status, 0, load.stderr);
      assert.match(load.stdout, new RegExp(`COPY ${small.length}`));
      assert.deepEqual((await shardRows(shards, 'copy_psql', 'user_id')).map((p) => p.misplaced), [0, 0, 0]);
      const out = join(dir, 'out.csv');
      const dump = await run(psql, ['-X', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy copy_psql TO '${out}' WITH (FORMAT csv)`], env);
      assert.equal(dump.status, 0, dump.stderr);
      assert.equal(readFileSync(out, 'utf8').split('\n').filter((l) => /^-?\d+,/.test(l)).length, small.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('backpressure', () => {
  it('while a shard cannot take rows, pgdog stops reading the client; the COPY completes after', async (t) => {
    assert.equal(firstError(await client.simple('CREATE TABLE copy_bp (user_id bigint, seq int UNIQUE, label text)')), null);
    // A transaction on one shard holds seq 0, so that shard's COPY waits at its first row.
    const first = small[0]!.userId;
    const k = await shardOfKey(shards, first);
    const blocker = await shards[k]!.server.connect(APP_USER, undefined, shards[k]!.database);
    await blocker.query('BEGIN');
    await blocker.query('INSERT INTO copy_bp VALUES ($1, 0, $2)', [String(first), 'blocker']);
    const c = await RawClient.connect(pgdog!.port, APP_USER, 'events');
    const socket = (c as unknown as { socket: import('node:net').Socket }).socket;
    socket.write(message('Q', Buffer.from('COPY copy_bp (user_id, seq, label) FROM STDIN\0')));
    const label = 'x'.repeat(1000);
    let seq = 0;
    let written = 0;
    let blocked = false;
    const LIMIT = 400 * 1024 * 1024;
    while (!blocked && written < LIMIT) {
      const rows: string[] = [];
      for (let i = 0; i < 256; i++, seq++) rows.push(`${seq === 0 ? first : small[seq % small.length]!.userId}\t${seq}\t${label}\n`);
      const frame = message('d', Buffer.from(rows.join('')));
      written += frame.length;
      if (!socket.write(frame)) blocked = !(await drainedWithin(socket, 1500));
    }
    t.diagnostic(`client blocked after writing ${(written / 1048576).toFixed(1)} MiB`);
    try {
      assert.ok(blocked, `pgdog read all ${written} bytes while a shard was blocked`);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    // untilReady answers the CopyInResponse with CopyDone, after the rows already written.
    const out = await c.untilReady();
    c.close();
    assert.equal(firstError(out)?.M ?? null, null);
    assert.deepEqual(tags(out), [`COPY ${seq}`]);
    assert.equal((await total('copy_bp')).reduce((a, b) => a + b, 0), seq);
    assert.ok(written < LIMIT);
  });
});

function drainedWithin(socket: import('node:net').Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => { socket.off('drain', done); resolve(false); }, ms);
    function done(): void {
      clearTimeout(t);
      resolve(true);
    }
    socket.once('drain', done);
  });
}

/** A child process, asynchronously: pgdog runs in this process and must keep answering. */
function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** COPY FROM STDIN: the data, then CopyFail instead of CopyDone. */
async function copyThenFail(sql: string, data: Buffer, reason: string): Promise<Frame[]> {
  const socket = (client as unknown as { socket: import('node:net').Socket }).socket;
  socket.write(message('Q', Buffer.from(`${sql}\0`)));
  socket.write(Buffer.concat([message('d', data), message('f', Buffer.from(`${reason}\0`))]));
  // The copy frames are already out; untilReady would answer the CopyInResponse with a CopyDone,
  // which a failed COPY ignores.
  return client.untilReady();
}

/** COPY TO STDOUT: CopyOutResponses, the data, the tags. */
async function copyOut(sql: string): Promise<{ responses: number; data: Buffer; tags: string[] }> {
  const frames = await client.simple(sql);
  const e = frames.find((f) => f.code === 'E');
  if (e !== undefined) throw new Error(errorFields(e).M);
  return {
    responses: frames.filter((f) => f.code === 'H').length,
    data: Buffer.concat(frames.filter((f) => f.code === 'd').map((f) => f.body)),
    tags: tags(frames),
  };
}
