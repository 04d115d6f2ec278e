// The rewriter's bytes against real PostgreSQL: what reaches the client (after the response plan
// swallowed and injected) must be what PostgreSQL sends a client talking to it directly.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { startPostgres, stopAll, type PgServer } from '@pgdog/testing';
import { ServerConnection, type ServerSink } from '../src/backend/server-connection.js';
import { queryMessage } from '../src/backend/internal-query.js';
import { PreparedStatements, ServerFrameAction, ServerStatementsRegistry, StatementCache } from '../src/prepared/index.js';
import { describeAnswers } from '../src/prepared/testing/pg-model.js';

let pg: PgServer;
const conns: ServerConnection[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  for (const c of conns) c.close('test over');
  await stopAll();
});

async function connect(): Promise<ServerConnection> {
  const c = await ServerConnection.connect({ host: pg.host, port: pg.port }, { user: pg.superuser, password: pg.superpassword, database: 'postgres', connectTimeoutMs: 5000, tls: { mode: 'disabled' } });
  conns.push(c);
  return c;
}

/** What a client sees for `frames`, through `ps` (or straight when ps is null), up to `readies` ReadyForQuery. */
async function exchange(conn: ServerConnection, ps: PreparedStatements | null, registry: ServerStatementsRegistry, frames: Buffer[]): Promise<string[]> {
  const seen: Buffer[] = [];
  const toServer: Buffer[] = [];
  let readies = 0;
  for (const f of frames) {
    if (ps !== null && ps.classify(f[0], f, 0, f.length)) {
      ps.rewrite(f[0], f, 0, f.length, registry.for(conn), { write: (b) => toServer.push(Buffer.from(b)) }, { write: (b) => seen.push(Buffer.from(b)) }, 0);
    } else toServer.push(f);
    if (f[0] === 0x53 || f[0] === 0x51) readies++;
  }
  await new Promise<void>((resolve) => {
    const sink: ServerSink = {
      onServerMessage(code, buf, start, end) {
        const frame = Buffer.from(buf.subarray(start, end));
        const action = ps !== null && ps.plan.active ? ps.plan.onServerFrame(code) : ServerFrameAction.Pass;
        if ((action & ServerFrameAction.Swallow) === 0) seen.push(frame);
        if ((action & ServerFrameAction.Inject) !== 0) seen.push(...ps!.plan.takeInjections());
        if (code === 0x5a && --readies === 0) {
          conn.detach();
          resolve();
        }
      },
      onServerRun() {},
      onServerDrain() {},
      onServerClosed(err) {
        throw err;
      },
    };
    conn.attach(sink);
    conn.write(Buffer.concat(toServer));
  });
  return describeAnswers(seen.filter((f) => f[0] !== 0x53 && f[0] !== 0x4e));
}

const parse = (name: string, text: string): Buffer => serialize.parse({ name, text, types: [] });
const bind = (statement: string): Buffer => serialize.bind({ statement, values: [] });
const execute = (): Buffer => serialize.execute({});
const sync = (): Buffer => serialize.sync();

test('through pgdog on shared connections as straight to PostgreSQL: moves, collisions, errors, long names', async () => {
  const [s1, s2, direct] = [await connect(), await connect(), await connect()];
  const registry = new ServerStatementsRegistry(2);
  const cache = new StatementCache();
  const a = new PreparedStatements(cache);
  const b = new PreparedStatements(cache);
  const straight = new ServerStatementsRegistry(0);
  const both = async (ps: PreparedStatements, server: ServerConnection, frames: Buffer[]): Promise<string[]> => {
    const ours = await exchange(server, ps, registry, frames);
    const theirs = await exchange(direct, null, straight, frames);
    assert.deepEqual(ours, theirs);
    return ours;
  };
  const long = 'x'.repeat(63);
  // Client a's statements, run straight on `direct` too (same names, same answers).
  await both(a, s1, [parse('q', 'SELECT 1'), bind('q'), execute(), sync()]);
  await both(a, s2, [bind('q'), execute(), sync()]);
  const failed = await both(a, s2, [parse('bad', 'SELEC 1'), bind('bad'), execute(), sync()]);
  assert.match(failed[0], /^E:42601/);
  await both(a, s2, [bind('bad'), sync()]);
  await both(a, s1, [parse(long + 'A', 'SELECT 2'), bind(long + 'B'), execute(), sync()]);
  const dup = await both(a, s1, [parse(long + 'C', 'SELECT 3'), sync()]);
  assert.match(dup[0], /^E:42P05:prepared statement "x+C" already exists/);
  // Evictions on s1 (limit 2), then q again.
  await both(a, s1, [parse('r', 'SELECT 4'), parse('t', 'SELECT 5'), bind('q'), execute(), sync()]);
  await both(a, s1, [parse('', 'SELEC'), bind('r'), execute(), sync()]);
  await both(a, s1, [bind('r'), execute(), bind('t'), execute(), sync()]);
  // Client b: same name, different SQL, same server; its own view only.
  assert.deepEqual(await exchange(s1, b, registry, [parse('q', "SELECT 'b'"), bind('q'), execute(), sync()]), ['1', '2', 'D', 'C:SELECT 1', 'Z']);
  assert.deepEqual(await exchange(s1, b, registry, [bind('r'), sync()]), ['E:26000:prepared statement "r" does not exist', 'Z']);
  // pgdog's view of s1 is the server's.
  const rows = await exchange(s1, null, registry, [queryMessage("SELECT name FROM pg_prepared_statements ORDER BY name")]);
  assert.equal(rows.filter((r) => r === 'D').length, registry.for(s1).size);
});

test('DEALLOCATE of an unknown name: PostgreSQL\'s own 26000', async () => {
  const s = await connect();
  const out = await exchange(s, null, new ServerStatementsRegistry(0), [queryMessage('DEALLOCATE nope')]);
  assert.deepEqual(out, ['E:26000:prepared statement "nope" does not exist', 'Z']);
});
