import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { readPasswordMessage, readSASLInitialResponse, readSASLResponse } from './password.js';
import { MessageWriter } from '../writer.js';

describe("'p' messages", () => {
  it('PasswordMessage: cleartext and md5 forms', () => {
    const b = serialize.password('s3cret');
    assert.equal(readPasswordMessage(b, 0, b.length), 's3cret');
    const md5 = serialize.password('md5' + 'a'.repeat(32));
    assert.equal(readPasswordMessage(md5, 0, md5.length), 'md5' + 'a'.repeat(32));
  });

  it('SASLInitialResponse: mechanism and client-first-message', () => {
    const first = 'n,,n=,r=rOprNGfwEbeRWgbNEkqO';
    const b = serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', first);
    const m = readSASLInitialResponse(b, 0, b.length);
    assert.equal(m.mechanism, 'SCRAM-SHA-256');
    assert.equal(m.data?.toString(), first);
  });

  it('SASLInitialResponse with length -1 has no data', () => {
    const b = new MessageWriter().begin(0x70).cstring('SCRAM-SHA-256').int32(-1).end().take();
    assert.deepEqual(readSASLInitialResponse(b, 0, b.length), { mechanism: 'SCRAM-SHA-256', data: null });
  });

  it('SASLResponse: the whole body', () => {
    const final = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
    const b = serialize.sendSCRAMClientFinalMessage(final);
    assert.equal(readSASLResponse(b, 0, b.length).toString(), final);
  });
});
