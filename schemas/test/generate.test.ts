import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

const outputs = ['generated/validators.cjs', 'generated/defaulters.cjs', 'generated/types.ts', 'generated/routes-validator.cjs'];

// Speed is not asserted here (the machine is shared and noisy); this checks determinism only.
function generateInto(dir: string): void {
  execFileSync(process.execPath, [join(packageRoot, 'scripts/generate.mjs'), '--out', dir], { stdio: 'pipe' });
}

test('generation is deterministic and matches the build output', () => {
  const a = mkdtempSync(join(tmpdir(), 'pgdog-schemas-a-'));
  const b = mkdtempSync(join(tmpdir(), 'pgdog-schemas-b-'));
  try {
    generateInto(a);
    generateInto(b);
    for (const rel of outputs) {
      const first = readFileSync(join(a, rel));
      assert.ok(first.length > 1000, rel);
      assert.ok(first.equals(readFileSync(join(b, rel))), `${rel} differs between runs`);
      assert.ok(first.equals(readFileSync(join(packageRoot, rel))), `${rel} is stale; rebuild`);
    }
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('generated validators need nothing at run time', () => {
  for (const rel of [outputs[0], outputs[1], outputs[3]]) {
    const code = readFileSync(join(packageRoot, rel), 'utf8');
    assert.doesNotMatch(code, /\brequire\(/, rel);
  }
});

test('generated types carry the schema descriptions as JSDoc', () => {
  const types = readFileSync(join(packageRoot, 'generated/types.ts'), 'utf8');
  assert.match(types, /export interface PgdogToml \{/);
  assert.match(types, /export interface PgdogConfig \{/);
  assert.match(types, /export interface UsersConfig \{/);
  assert.match(types, /\/\*\*[^/]*TCP port pgdog listens on[^/]*@default 6432[^/]*\*\/\n\s+port: number;/);
});
