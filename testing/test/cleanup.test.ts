import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { childPids, processAlive, reapOrphans, sessionsRoot, TMP_ENV } from '../src/index.js';
import { childExit, spawnServerChild } from './fixtures/child.js';

// Children use a private root, so no concurrently starting test process reaps their
// orphans before this file's assertions do.
const root = mkdtempSync(join(dirname(sessionsRoot()), 'pgdog-cleanup-test-'));
chmodSync(root, 0o755);
const childEnv = { [TMP_ENV]: root };
after(() => rmSync(root, { recursive: true, force: true }));

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  test(`${sig} to a process with a running server stops the postmaster and removes its dirs`, async () => {
    const { child, report } = await spawnServerChild(childEnv);
    assert.ok(processAlive(report.pid));
    assert.ok(existsSync(report.dataDir));
    const backends = childPids(report.pid);
    child.kill(sig);
    const ended = await childExit(child);
    assert.equal(ended.signal, sig, 'the handler re-raises, so the process still dies of the signal');
    assert.equal(processAlive(report.pid), false);
    for (const b of backends) assert.equal(processAlive(b), false);
    assert.equal(existsSync(report.session), false);
  });
}

test('a normal exit without stopAll() still cleans up', async () => {
  const { child, report } = await spawnServerChild(childEnv, ['exit']);
  assert.deepEqual(await childExit(child), { code: 0, signal: null });
  assert.equal(processAlive(report.pid), false);
  assert.equal(existsSync(report.session), false);
});

test('SIGKILL leaves an orphan postmaster that reapOrphans() stops and deletes', async () => {
  const { child, report } = await spawnServerChild(childEnv);
  child.kill('SIGKILL');
  await childExit(child);
  assert.ok(processAlive(report.pid), 'the postmaster outlives its SIGKILLed owner');
  assert.ok(existsSync(report.dataDir));
  const reaped = reapOrphans([join(root, 'pgdog-pg')]);
  assert.deepEqual(reaped, [{ dir: report.session, postmasters: [report.pid] }]);
  assert.equal(processAlive(report.pid), false);
  assert.equal(existsSync(report.session), false);
});

test('reapOrphans() leaves sessions of live processes alone', async () => {
  const { child, report } = await spawnServerChild(childEnv);
  try {
    assert.deepEqual(reapOrphans([join(root, 'pgdog-pg')]), []);
    assert.ok(processAlive(report.pid));
  } finally {
    child.kill('SIGTERM');
    await childExit(child);
  }
  assert.equal(processAlive(report.pid), false);
});
