import { test } from 'node:test';
import assert from 'node:assert/strict';
test('placeholder build smoke', () => { assert.equal(1 + 1, 2); });
