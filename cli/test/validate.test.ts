import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, runCli } from './cli-run.js';

const quick = ['-c', 'fixtures/quickstart/pgdog.toml', '-u', 'fixtures/quickstart/users.toml'];
const broken = (name: string, users = 'fixtures/broken/users.toml') => ['-c', `fixtures/broken/${name}/pgdog.toml`, '-u', users];

test('the quick start is valid: exit 0, one summary line, nothing on stderr', () => {
  const r = runCli(['validate', ...quick]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'fixtures/quickstart/pgdog.toml and fixtures/quickstart/users.toml are valid\n');
  assert.equal(r.stderr, '');
});

test('human output: file:line:col: severity CODE message, an indented hint, a summary; exit 1', () => {
  const r = runCli(['validate', ...broken('unknown-key-typo')]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.stdout.split('\n'), [
    'fixtures/broken/unknown-key-typo/pgdog.toml:3:1: error E_UNKNOWN_KEY unknown key `default_pool_sise` in [general]',
    '  hint: did you mean `default_pool_size`?',
    'fixtures/broken/unknown-key-typo/pgdog.toml and fixtures/broken/users.toml are invalid: 1 error, 0 warnings',
    '',
  ]);
  assert.equal(r.stderr, '');
});

test('every problem in both files is printed, errors then warnings', () => {
  const r = runCli(['validate', ...broken('server-auth-conflict', 'fixtures/broken/server-auth-conflict/users.toml')]);
  assert.equal(r.status, 1);
  const codes = r.stdout.split('\n').filter((l) => /: (error|warning) /.test(l)).map((l) => l.replace(/^.*?:\d+:\d+: /, ''));
  assert.deepEqual(codes.map((c) => c.split(' ').slice(0, 2).join(' ')), [
    'error E_SERVER_AUTH_CONFLICT',
    'error E_SERVER_AUTH_CONFLICT',
    'warning W_UNIMPLEMENTED',
    'warning W_UNIMPLEMENTED',
  ]);
  assert.match(r.stdout, /are invalid: 2 errors, 2 warnings\n$/);
});

test('--json prints exactly {valid, errors, warnings} and nothing else on stdout', () => {
  const r = runCli(['validate', '--json', ...broken('enum-errors')]);
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['valid', 'errors', 'warnings']);
  assert.equal(out.valid, false);
  assert.equal(out.errors.length, 4);
  assert.deepEqual(Object.keys(out.errors[0]), ['file', 'line', 'column', 'pointer', 'code', 'message', 'hint']);
  assert.deepEqual(Object.keys(out.errors[3]), ['file', 'line', 'column', 'pointer', 'code', 'message']);
  assert.deepEqual(out.errors[0], {
    file: 'fixtures/broken/enum-errors/pgdog.toml',
    line: 2,
    column: 15,
    pointer: '/general/pooler_mode',
    code: 'E_ENUM',
    message: '`general.pooler_mode` must be one of "transaction", "session", "statement"; got "transactions"',
    hint: 'did you mean "transaction"?',
  });
  assert.deepEqual(out.warnings, []);
  assert.equal(r.stderr, '');
});

test('--json on a valid config', () => {
  const r = runCli(['validate', ...quick, '--json']);
  assert.equal(r.status, 0);
  assert.deepEqual(JSON.parse(r.stdout), { valid: true, errors: [], warnings: [] });
});

test('warnings alone exit 0; --strict makes them fail', () => {
  const args = broken('unimplemented-keys');
  const plain = runCli(['validate', ...args]);
  assert.equal(plain.status, 0);
  assert.match(plain.stdout, /:2:1: warning W_UNIMPLEMENTED `general.unique_id_min` is accepted/);
  assert.match(plain.stdout, /are valid \(4 warnings\)\n$/);
  const strict = runCli(['validate', '--strict', ...args]);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /4 warnings \(--strict makes warnings fail\)\n$/);
  const json = runCli(['validate', '--strict', '--json', ...args]);
  assert.equal(json.status, 1);
  const out = JSON.parse(json.stdout);
  assert.equal(out.valid, false);
  assert.equal(out.warnings.length, 4);
  assert.deepEqual(Object.keys(out.warnings[0]), ['file', 'line', 'column', 'pointer', 'code', 'message']);
});

test('a missing file: exit 2 and a message naming the path on stderr', () => {
  const r = runCli(['validate', '-c', 'does/not/exist.toml', '-u', 'fixtures/quickstart/users.toml']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^does\/not\/exist\.toml: error E_FILE_NOT_FOUND file not found: does\/not\/exist\.toml$/m);
});

test('a missing file with --json: exit 2, the error in the JSON', () => {
  const r = runCli(['validate', '--json', '-c', 'fixtures/quickstart/pgdog.toml', '-u', 'nope/users.toml']);
  assert.equal(r.status, 2);
  const out = JSON.parse(r.stdout);
  assert.equal(out.valid, false);
  assert.deepEqual(out.errors.map((e: { code: string; file: string; line: number }) => [e.code, e.file, e.line]), [['E_FILE_NOT_FOUND', 'nope/users.toml', 0]]);
});

test('a directory instead of a file: exit 2', () => {
  const r = runCli(['validate', '-c', 'fixtures', '-u', 'fixtures/quickstart/users.toml']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /fixtures: error E_FILE_UNREADABLE cannot read fixtures: it is a directory/);
});

test('defaults are ./pgdog.toml and ./users.toml in the working directory', () => {
  const r = runCli(['validate'], { cwd: join(fixtures, 'quickstart') });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, './pgdog.toml and ./users.toml are valid\n');
  const missing = runCli(['validate'], { cwd: mkdtempSync(join(tmpdir(), 'pgdog-cli-')) });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /\.\/pgdog\.toml: error E_FILE_NOT_FOUND/);
  assert.match(missing.stderr, /\.\/users\.toml: error E_FILE_NOT_FOUND/);
});

test('PGDOG_CONFIG and PGDOG_USERS select the files; flags win over them', () => {
  const env = { PGDOG_CONFIG: join(fixtures, 'quickstart/pgdog.toml'), PGDOG_USERS: join(fixtures, 'quickstart/users.toml') };
  const r = runCli(['validate'], { env, cwd: tmpdir() });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${env.PGDOG_CONFIG} and ${env.PGDOG_USERS} are valid\n`);
  const flagged = runCli(['validate', '-c', 'fixtures/broken/shard-gap/pgdog.toml'], { env });
  assert.equal(flagged.status, 1);
  assert.match(flagged.stdout, /^fixtures\/broken\/shard-gap\/pgdog\.toml:9:9: error E_SHARD_GAP /m);
});

test('a config written on the fly: errors in users.toml point into users.toml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgdog-cli-'));
  writeFileSync(join(dir, 'pgdog.toml'), '[[databases]]\nname = "app"\nhost = "127.0.0.1"\n');
  writeFileSync(join(dir, 'users.toml'), '[[users]]\nname = "a"\ndatabase = "apps"\npassword = "pw"\n');
  const r = runCli(['validate', '--json'], { cwd: dir });
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.errors.map((e: { file: string; line: number; column: number; code: string; hint?: string }) => [e.file, e.line, e.column, e.code, e.hint]), [
    ['./users.toml', 3, 12, 'E_UNKNOWN_DATABASE', 'did you mean `app`?'],
  ]);
});

test('usage errors exit 2', () => {
  assert.equal(runCli(['validate', '--no-such-flag']).status, 2);
  assert.equal(runCli(['validate', '-c']).status, 2);
});

test('--help documents the flags and the exit codes', () => {
  const r = runCli(['validate', '--help']);
  assert.equal(r.status, 0);
  for (const s of ['-c, --config', '-u, --users', '--strict', '--json', 'PGDOG_CONFIG', 'Exit codes']) assert.ok(r.stdout.includes(s), s);
});
