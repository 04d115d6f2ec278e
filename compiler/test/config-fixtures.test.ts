// Golden files: every fixtures/broken/<case>/expected.json, and every valid fixture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Diagnostic } from '../src/index.js';

const fixtures = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures');
const broken = join(fixtures, 'broken');

interface Expected {
  code: string;
  line: number;
  column: number;
  file: string;
  hint?: string;
}

/** The fields a golden file pins; `hint` only where the golden names one. */
function project(got: Diagnostic[], expected: Expected[]): Expected[] {
  return got.map((d, i) => {
    const out: Expected = { code: d.code, line: d.line, column: d.column, file: basename(d.file) };
    if (expected[i] && 'hint' in expected[i]) out.hint = d.hint;
    return out;
  });
}

const cases = readdirSync(broken).filter((name) => existsSync(join(broken, name, 'expected.json'))).sort();

test('there are at least 30 broken-config cases', () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
});

for (const name of cases) {
  test(`broken/${name}`, async () => {
    const dir = join(broken, name);
    const usersPath = existsSync(join(dir, 'users.toml')) ? join(dir, 'users.toml') : join(broken, 'users.toml');
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { errors: Expected[]; warnings: Expected[] };
    const r = await loadConfig({ configPath: join(dir, 'pgdog.toml'), usersPath });
    assert.deepEqual({ errors: project(r.errors, expected.errors), warnings: project(r.warnings, expected.warnings) }, expected);
    assert.equal(r.config === null, expected.errors.length > 0);
  });
}

const valid = ['quickstart', ...readdirSync(join(fixtures, 'valid')).map((n) => join('valid', n))];
for (const name of valid) {
  test(`${name} validates with no errors and no warnings`, async () => {
    const r = await loadConfig({ configPath: join(fixtures, name, 'pgdog.toml'), usersPath: join(fixtures, name, 'users.toml') });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
    assert.ok(r.config);
    assert.ok(r.config.pgdog.databases.length > 0);
  });
}

test('the quick start is the original one: [[servers]] folded into one database', async () => {
  const r = await loadConfig({ configPath: join(fixtures, 'quickstart/pgdog.toml'), usersPath: join(fixtures, 'quickstart/users.toml') });
  assert.deepEqual(
    r.config?.pgdog.databases.map((d) => [d.name, d.host, d.port, d.role, d.shard]),
    [['pgdog', '127.0.0.1', 5432, 'primary', 0]],
  );
  assert.deepEqual(r.config?.users.users.map((u) => [u.name, u.database]), [['pgdog', 'pgdog']]);
  assert.equal(r.config?.pgdog.general.port, 6432);
});
