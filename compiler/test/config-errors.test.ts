import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configCodes, configDiagnostic, isIoDiagnostic } from '../src/errors.js';

const readme = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/README.md'), 'utf8');

test('every code is documented in the fixtures/README.md table, with its severity', () => {
  for (const [code, spec] of Object.entries(configCodes)) {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is missing from fixtures/README.md`);
    assert.match(row, new RegExp(`\\| ${spec.severity} \\|`), `${code} severity`);
  }
});

test('code prefixes match severities', () => {
  for (const [code, spec] of Object.entries(configCodes)) assert.equal(code[0], spec.severity === 'error' ? 'E' : 'W', code);
});

test('configDiagnostic builds the message from the template and keeps the hint', () => {
  const d = configDiagnostic('E_RANGE', { file: 'pgdog.toml', line: 3, column: 8, pointer: '/general/port' }, { key: 'general.port', bound: 'at most 65535', actual: '70000' }, 'h');
  assert.deepEqual(d, {
    file: 'pgdog.toml',
    line: 3,
    column: 8,
    pointer: '/general/port',
    code: 'E_RANGE',
    message: '`general.port` must be at most 65535; got 70000',
    severity: 'error',
    hint: 'h',
  });
  assert.equal('hint' in configDiagnostic('E_BINARY', d, {}), false);
});

test('only file-access problems are I/O errors', () => {
  assert.equal(isIoDiagnostic({ code: 'E_FILE_NOT_FOUND' }), true);
  assert.equal(isIoDiagnostic({ code: 'E_FILE_UNREADABLE' }), true);
  assert.equal(isIoDiagnostic({ code: 'E_FILE_TOO_LARGE' }), false);
  assert.equal(isIoDiagnostic({ code: 'E_TOML_SYNTAX' }), false);
});
