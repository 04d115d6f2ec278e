import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateClient, effectiveMethod, type AuthChannel, type ClientAuthMethod, type ClientAuthResult } from './client-auth.js';
import { ScramVerifierCache, scramUserSalt, warmScramVerifiers, type ClientCredentials } from './scram-credentials.js';
import { createScramVerifier, parseScramVerifier } from './scram-verifier.js';
import { md5Password, md5SaltedResponse } from './md5.js';
import { ScramTestClient } from './testing/scram-client.js';
import { scramPasswordBytes } from './saslprep.js';
import { parseWithPg } from '../protocol/testing/pg-oracle.js';

type Frame = { code: number; body: Buffer };
type Decoded = ReturnType<typeof parseWithPg>[number] & Record<string, any>;

/** An in-memory client: what pgdog sends is decoded with pg-protocol; what the client sends is queued. */
class MemoryChannel implements AuthChannel {
  readonly sent: Buffer[] = [];
  private inbox: Frame[] = [];
  private waiter: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private sentWaiter: (() => void) | null = null;
  private read = 0;

  send(buf: Buffer): void {
    this.sent.push(Buffer.from(buf));
    this.sentWaiter?.();
  }

  next(): Promise<Frame> {
    const f = this.inbox.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve, reject) => { this.waiter = { resolve, reject }; });
  }

  push(code: string, body: Buffer): void {
    const frame = { code: code.charCodeAt(0), body };
    if (this.waiter) { const w = this.waiter; this.waiter = null; w.resolve(frame); } else this.inbox.push(frame);
  }

  disconnect(): void {
    this.waiter?.reject(new Error('client closed'));
    this.waiter = null;
  }

  /** The messages of the next send, decoded. */
  async receive(): Promise<Decoded[]> {
    while (this.sent.length <= this.read) await new Promise<void>((r) => { this.sentWaiter = r; });
    return parseWithPg(this.sent[this.read++]) as Decoded[];
  }
}

const cstring = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const saslInitial = (mechanism: string, data: string | null) => {
  const len = Buffer.alloc(4);
  len.writeInt32BE(data === null ? -1 : Buffer.byteLength(data, 'latin1'));
  return Buffer.concat([cstring(mechanism), len, data === null ? Buffer.alloc(0) : Buffer.from(data, 'latin1')]);
};

const USERS: Record<string, ClientCredentials> = {
  plain: { passwords: ['secret'] },
  several: { passwords: ['first', 'second'] },
  scramhash: { passwords: [], passwordHash: createScramVerifier('hashed', { iterations: 4096 }) },
  md5hash: { passwords: [], passwordHash: md5Password('md5hash', 'md5pw') },
  mixed: { passwords: ['plain-one'], passwordHash: createScramVerifier('hash-one', { iterations: 2048 }) },
  empty: { passwords: [''] },
  nosecret: { passwords: [] },
};
const lookup = (user: string) => USERS[user];

function start(user: string, method: ClientAuthMethod, opts: Parameters<typeof authenticateClient>[4] = {}) {
  const ch = new MemoryChannel();
  const result = authenticateClient(ch, { user, database: 'db' }, lookup, method, { cache: new ScramVerifierCache(), ...opts });
  return { ch, result };
}

/** Runs a SCRAM login the way libpq does; returns the result and every decoded server message. */
async function scramLogin(user: string, password: string, method: ClientAuthMethod = 'scram') {
  const { ch, result } = start(user, method);
  const messages: Decoded[] = [];
  const [sasl] = await ch.receive();
  messages.push(sasl);
  assert.equal(sasl.name, 'authenticationSASL');
  assert.deepEqual(sasl.mechanisms, ['SCRAM-SHA-256']);
  const client = new ScramTestClient({ passwordBytes: scramPasswordBytes(password) });
  ch.push('p', saslInitial('SCRAM-SHA-256', client.clientFirstMessage));
  const [cont] = await ch.receive();
  messages.push(cont);
  assert.equal(cont.name, 'authenticationSASLContinue');
  ch.push('p', Buffer.from(client.clientFinal(cont.data)));
  const r = await result;
  if (r.ok) {
    const final = await ch.receive();
    messages.push(...final);
    assert.deepEqual(final.map((m) => m.name), ['authenticationSASLFinal', 'authenticationOk']);
    assert.ok(client.verifyServerFinal(final[0].data), 'server signature');
  }
  return { r, messages, sent: ch.sent };
}

async function md5Login(user: string, password: string, method: ClientAuthMethod = 'md5') {
  const { ch, result } = start(user, method);
  const [req] = await ch.receive();
  assert.equal(req.name, 'authenticationMD5Password');
  ch.push('p', cstring(md5SaltedResponse(md5Password(user, password), req.salt)));
  const r = await result;
  if (r.ok) assert.deepEqual((await ch.receive()).map((m) => m.name), ['authenticationOk']);
  return { r, sent: ch.sent };
}

async function plainLogin(user: string, password: string) {
  const { ch, result } = start(user, 'plain');
  const [req] = await ch.receive();
  assert.equal(req.name, 'authenticationCleartextPassword');
  ch.push('p', cstring(password));
  const r = await result;
  if (r.ok) assert.deepEqual((await ch.receive()).map((m) => m.name), ['authenticationOk']);
  return { r, sent: ch.sent };
}

const failed = (user: string): ClientAuthResult => ({ ok: false, error: { sqlstate: '28P01', message: `password authentication failed for user "${user}"`, severity: 'FATAL' } });

test('scram: password, passwords[1], SCRAM password_hash, plaintext alongside a hash', async () => {
  assert.deepEqual((await scramLogin('plain', 'secret')).r, { ok: true });
  assert.deepEqual((await scramLogin('several', 'first')).r, { ok: true });
  assert.deepEqual((await scramLogin('several', 'second')).r, { ok: true });
  const hashed = await scramLogin('scramhash', 'hashed');
  assert.deepEqual(hashed.r, { ok: true });
  // The hash's own salt is announced.
  assert.ok(hashed.messages[1].data.includes(`s=${parseScramVerifier(USERS.scramhash.passwordHash!)!.salt.toString('base64')},i=4096`));
  // With a hash present, plaintexts are derived with the hash's salt and iterations, so both verify.
  assert.deepEqual((await scramLogin('mixed', 'plain-one')).r, { ok: true });
  assert.deepEqual((await scramLogin('mixed', 'hash-one')).r, { ok: true });
  assert.match((await scramLogin('mixed', 'x')).messages[1].data, /,i=2048$/);
});

test('scram: wrong password, unknown user, md5-only user, empty password: same flow, same 28P01', async () => {
  const outcomes = [
    await scramLogin('plain', 'wrong'),
    await scramLogin('ghost', 'secret'),
    await scramLogin('md5hash', 'md5pw'),
    await scramLogin('empty', ''),
    await scramLogin('nosecret', 'x'),
  ];
  const users = ['plain', 'ghost', 'md5hash', 'empty', 'nosecret'];
  outcomes.forEach((o, i) => {
    assert.deepEqual(o.r, failed(users[i]));
    assert.deepEqual(o.messages.map((m) => m.name), ['authenticationSASL', 'authenticationSASLContinue']);
    // Same server-first shape: client nonce + 24 nonce chars, 16-byte salt, 4096 iterations.
    assert.match(o.messages[1].data, /^r=[A-Za-z0-9+/=]{24}[A-Za-z0-9+/]{24},s=[A-Za-z0-9+/]{22}==,i=4096$/);
  });
  // The unknown user's salt is stable per name, like a real user's.
  const again = await scramLogin('ghost', 'other');
  assert.equal(again.messages[1].data.split(',s=')[1], outcomes[1].messages[1].data.split(',s=')[1]);
  assert.equal(outcomes[0].messages[1].data.split(',s=')[1], `${scramUserSalt('plain').toString('base64')},i=4096`);
});

test('scram: a client that sends no initial response gets an empty challenge first', async () => {
  const { ch, result } = start('plain', 'scram');
  await ch.receive();
  ch.push('p', saslInitial('SCRAM-SHA-256', null));
  const [empty] = await ch.receive();
  assert.equal(empty.name, 'authenticationSASLContinue');
  assert.equal(empty.data, '');
  const client = new ScramTestClient({ passwordBytes: Buffer.from('secret') });
  ch.push('p', Buffer.from(client.clientFirstMessage));
  const [cont] = await ch.receive();
  ch.push('p', Buffer.from(client.clientFinal(cont.data)));
  assert.deepEqual(await result, { ok: true });
});

test('scram: a mechanism we did not offer is 08P01', async () => {
  const { ch, result } = start('plain', 'scram');
  await ch.receive();
  ch.push('p', saslInitial('SCRAM-SHA-256-PLUS', 'p=tls-server-end-point,,n=,r=abc'));
  assert.deepEqual(await result, { ok: false, error: { sqlstate: '08P01', message: 'client selected an invalid SASL authentication mechanism', severity: 'FATAL' } });
});

test('scram: a malformed client-first is a FATAL 08P01 with detail', async () => {
  const { ch, result } = start('plain', 'scram');
  await ch.receive();
  ch.push('p', saslInitial('SCRAM-SHA-256', 'n,,n='));
  const r = await result;
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual([r.error.sqlstate, r.error.message, r.error.severity, typeof r.error.detail], ['08P01', 'malformed SCRAM message', 'FATAL', 'string']);
});

test('md5: password, passwords[1], md5 password_hash; wrong password and unknown user alike', async () => {
  assert.deepEqual((await md5Login('plain', 'secret')).r, { ok: true });
  assert.deepEqual((await md5Login('several', 'second')).r, { ok: true });
  assert.deepEqual((await md5Login('md5hash', 'md5pw')).r, { ok: true });
  assert.deepEqual((await md5Login('plain', 'wrong')).r, failed('plain'));
  assert.deepEqual((await md5Login('ghost', 'secret')).r, failed('ghost'));
  assert.deepEqual((await md5Login('empty', '')).r, failed('empty'));
});

test('md5 with only a SCRAM hash switches to SCRAM, as PostgreSQL does', async () => {
  assert.equal(effectiveMethod('md5', USERS.scramhash), 'scram');
  assert.equal(effectiveMethod('md5', USERS.mixed), 'md5');
  assert.equal(effectiveMethod('md5', USERS.md5hash), 'md5');
  assert.equal(effectiveMethod('md5', undefined), 'md5');
  assert.equal(effectiveMethod('scram', USERS.md5hash), 'scram');
  assert.deepEqual((await scramLogin('scramhash', 'hashed', 'md5')).r, { ok: true });
  assert.deepEqual((await scramLogin('scramhash', 'wrong', 'md5')).r, failed('scramhash'));
});

test('plain: password, passwords[1], md5 hash, SCRAM hash (SASLprep-equivalent), wrong, unknown, empty', async () => {
  assert.deepEqual((await plainLogin('plain', 'secret')).r, { ok: true });
  assert.deepEqual((await plainLogin('several', 'second')).r, { ok: true });
  assert.deepEqual((await plainLogin('md5hash', 'md5pw')).r, { ok: true });
  assert.deepEqual((await plainLogin('scramhash', 'hashed')).r, { ok: true });
  assert.deepEqual((await plainLogin('mixed', 'plain-one')).r, { ok: true });
  assert.deepEqual((await plainLogin('plain', 'secret ')).r, failed('plain'));
  assert.deepEqual((await plainLogin('md5hash', 'md5')).r, failed('md5hash'));
  // Knowing the stored md5 hash is not enough to log in with it as the password.
  assert.deepEqual((await plainLogin('md5hash', USERS.md5hash.passwordHash!)).r, failed('md5hash'));
  assert.deepEqual((await plainLogin('ghost', 'secret')).r, failed('ghost'));
  assert.deepEqual((await plainLogin('empty', '')).r, failed('empty'));
});

test('trust: AuthenticationOk at once; an unknown role is refused as PostgreSQL does', async () => {
  const { ch, result } = start('plain', 'trust');
  assert.deepEqual(await result, { ok: true });
  assert.deepEqual(parseWithPg(ch.sent[0]).map((m) => m.name), ['authenticationOk']);
  const unknown = start('ghost', 'trust');
  assert.deepEqual(await unknown.result, { ok: false, error: { sqlstate: '28000', message: 'role "ghost" does not exist', severity: 'FATAL' } });
  assert.equal(unknown.ch.sent.length, 0);
});

test('a message other than p during auth is 08P01 naming the type', async () => {
  for (const [method, word] of [['scram', 'SASL'], ['md5', 'password'], ['plain', 'password']] as const) {
    const { ch, result } = start('plain', method);
    await ch.receive();
    ch.push('Q', cstring('select 1'));
    assert.deepEqual(await result, { ok: false, error: { sqlstate: '08P01', message: `expected ${word} response, got message type 81`, severity: 'FATAL' } });
  }
});

test('an oversized password message is refused before it is read', async () => {
  const { ch, result } = start('plain', 'plain', { maxMessageLength: 100 });
  await ch.receive();
  ch.push('p', cstring('x'.repeat(96)));
  assert.deepEqual(await result, { ok: false, error: { sqlstate: '08P01', message: 'invalid message length', severity: 'FATAL' } });
  const fits = start('plain', 'plain', { maxMessageLength: 100 });
  await fits.ch.receive();
  fits.ch.push('p', cstring('x'.repeat(95)));
  assert.deepEqual(await fits.result, failed('plain'));
});

test('malformed password messages are 08P01 (no terminator, trailing bytes, short SASL header)', async () => {
  for (const [method, body] of [['plain', Buffer.from('secret')], ['md5', Buffer.from('md5\0x')], ['scram', Buffer.from('SCRAM-SHA-256\0\0\0')]] as const) {
    const { ch, result } = start('plain', method);
    await ch.receive();
    ch.push('p', body);
    const r = await result;
    assert.equal(r.ok, false, method);
    if (!r.ok) assert.equal(r.error.sqlstate, '08P01', method);
  }
});

test('login timeout: 57014 "canceling authentication due to timeout"', async () => {
  const { result } = start('plain', 'scram', { timeoutMs: 30 });
  assert.deepEqual(await result, { ok: false, error: { sqlstate: '57014', message: 'canceling authentication due to timeout', severity: 'FATAL' } });
});

test('a client that goes away mid-exchange ends it with 08006', async () => {
  const { ch, result } = start('plain', 'scram', { timeoutMs: 10_000 });
  await ch.receive();
  ch.disconnect();
  assert.deepEqual(await result, { ok: false, error: { sqlstate: '08006', message: 'connection to client lost', severity: 'FATAL' } });
});

test('no password ever appears in what is sent or in an error', async () => {
  const secret = 'Sup3r-Secret-Value';
  const outcomes = [await plainLogin('plain', secret), await md5Login('plain', secret), await scramLogin('plain', secret)];
  for (const { r, sent } of outcomes) {
    assert.equal(r.ok, false);
    const all = Buffer.concat(sent).toString('latin1') + JSON.stringify(r);
    assert.equal(all.includes(secret), false);
    assert.equal(all.includes('secret'), false, 'the stored password either');
  }
});

test('verifiers are derived once per password and reused', async () => {
  const cache = new ScramVerifierCache();
  const creds: ClientCredentials = { passwords: ['a', 'b'] };
  await warmScramVerifiers('warm', creds, cache);
  assert.equal(cache.size, 2);
  const first = await cache.secretsFor('warm', creds);
  const second = await cache.secretsFor('warm', creds);
  assert.equal(cache.size, 2);
  assert.equal(first.verifiers[0], second.verifiers[0], 'same object: not derived again');
  const small = new ScramVerifierCache(1);
  await small.secretsFor('warm', creds);
  assert.equal(small.size, 1);
});
