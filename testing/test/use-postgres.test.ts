import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { probeAuth, usePostgres } from '../src/index.js';

let dataDir = '';

describe('usePostgres', () => {
  const db = usePostgres({ users: [{ name: 'app', password: 'app-pw', auth: 'scram' }], databases: [{ name: 'appdb', owner: 'app' }] });

  test('provides a started server inside tests', async () => {
    dataDir = db().dataDir;
    assert.ok(existsSync(dataDir));
    assert.deepEqual(await probeAuth(db().connectionConfig('app', undefined, 'appdb')), { method: 'scram-sha-256', ok: true });
    assert.deepEqual(await db().query('SELECT current_database() AS d', [], { database: 'appdb' }), [{ d: 'appdb' }]);
  });
});

test('usePostgres destroys its server when the suite ends', () => {
  assert.notEqual(dataDir, '');
  assert.equal(existsSync(dataDir), false);
});
