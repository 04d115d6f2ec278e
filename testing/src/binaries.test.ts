import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupUser, pickHighestVersion } from './binaries.js';

test('pickHighestVersion compares numerically and ignores non-versions', () => {
  assert.equal(pickHighestVersion(['9.6', '15', '13', 'common']), '15');
  assert.equal(pickHighestVersion(['10', '9.6']), '10');
  assert.equal(pickHighestVersion(['x']), null);
});

test('lookupUser reads uid and gid from passwd text', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104::/var/lib/postgresql:/bin/bash\n';
  assert.deepEqual(lookupUser('postgres', passwd), { user: 'postgres', uid: 101, gid: 104 });
  assert.equal(lookupUser('nobody', passwd), null);
});
