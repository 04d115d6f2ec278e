// Our backend encoders checked against pg-protocol's Parser, and our decoders against the same bytes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageWriter } from '../writer.js';
import { parseWithPg } from '../testing/pg-oracle.js';
import { SqlState } from '../sqlstate.js';
import { ErrorField, errorField, readErrorFields, writeErrorResponse, writeNoticeResponse } from './error-response.js';
import {
  AuthenticationType,
  SCRAM_SHA_256,
  readAuthentication,
  writeAuthenticationCleartextPassword,
  writeAuthenticationMD5Password,
  writeAuthenticationOk,
  writeAuthenticationSASL,
  writeAuthenticationSASLContinue,
  writeAuthenticationSASLFinal,
} from './auth.js';
import { readParameterStatus, writeParameterStatus } from './parameter-status.js';
import { readBackendKeyData, writeBackendKeyData } from './backend-key-data.js';
import { TransactionStatus, readyForQueryStatus, writeReadyForQuery } from './ready-for-query.js';
import { TypeOid, readRowDescription, rowDescriptionColumnCount, writeRowDescription } from './row-description.js';
import { dataRowColumnCount, readDataRow, writeDataRow } from './data-row.js';
import { commandCompleteRowCount, readCommandComplete, rowCountFromTag, writeCommandComplete } from './command-complete.js';
import { readNegotiateProtocolVersion, writeNegotiateProtocolVersion } from './negotiate-protocol-version.js';
import { readParameterDescription, writeParameterDescription } from './parameter-description.js';
import * as constants from '../constants.js';

function one(write: (w: MessageWriter) => unknown): { bytes: Buffer; pg: any } {
  const w = new MessageWriter(16);
  write(w);
  const bytes = w.take();
  const msgs = parseWithPg(bytes);
  assert.equal(msgs.length, 1);
  return { bytes, pg: msgs[0] };
}

describe('ErrorResponse / NoticeResponse', () => {
  it('encodes S, V, C, M and the optional fields as PostgreSQL 9.6+ does', () => {
    const { bytes, pg } = one((w) =>
      writeErrorResponse(w, {
        severity: 'FATAL',
        sqlstate: SqlState.InvalidPassword,
        message: 'password authentication failed for user "alice"',
        detail: 'some detail',
        hint: 'some hint',
        position: 17,
      }),
    );
    assert.equal(pg.name, 'error');
    assert.equal(pg.severity, 'FATAL');
    assert.equal(pg.code, '28P01');
    assert.equal(pg.message, 'password authentication failed for user "alice"');
    assert.equal(pg.detail, 'some detail');
    assert.equal(pg.hint, 'some hint');
    assert.equal(pg.position, '17');
    const fields = readErrorFields(bytes, 0, bytes.length);
    assert.deepEqual(fields, {
      severity: 'FATAL',
      severityNonLocalized: 'FATAL',
      code: '28P01',
      message: 'password authentication failed for user "alice"',
      detail: 'some detail',
      hint: 'some hint',
      position: '17',
    });
    assert.equal(errorField(bytes, 0, bytes.length, ErrorField.Code), '28P01');
    assert.equal(errorField(bytes, 0, bytes.length, ErrorField.Where), undefined);
  });

  it('omits absent optional fields and encodes notices with N', () => {
    const { bytes, pg } = one((w) => writeNoticeResponse(w, { severity: 'WARNING', sqlstate: SqlState.Warning, message: 'careful' }));
    assert.equal(bytes[0], 0x4e);
    assert.equal(pg.name, 'notice');
    assert.equal(pg.severity, 'WARNING');
    assert.equal(pg.detail, undefined);
    assert.deepEqual(Object.keys(readErrorFields(bytes, 0, bytes.length)), ['severity', 'severityNonLocalized', 'code', 'message']);
  });

  it('decodes a server error with fields we never send, skipping unknown types', () => {
    const w = new MessageWriter();
    w.begin(0x45);
    for (const [t, v] of [['S', 'ERROR'], ['V', 'ERROR'], ['C', '42P01'], ['M', 'relation "nope" does not exist'],
      ['P', '15'], ['F', 'parse_relation.c'], ['L', '1392'], ['R', 'parserOpenTable'], ['Z', 'future field']]) {
      w.byte(t.charCodeAt(0)).cstring(v);
    }
    const bytes = w.byte(0).end().take();
    const f = readErrorFields(bytes, 0, bytes.length);
    assert.equal(f.code, '42P01');
    assert.equal(f.file, 'parse_relation.c');
    assert.equal(f.line, '1392');
    assert.equal(f.routine, 'parserOpenTable');
    assert.equal(parseWithPg(bytes)[0].name, 'error');
  });

  it('refuses a malformed SQLSTATE', () => {
    assert.throws(() => writeErrorResponse(new MessageWriter(), { severity: 'ERROR', sqlstate: '123', message: 'x' }), RangeError);
  });
});

describe('Authentication', () => {
  it('Ok, CleartextPassword, MD5Password, SASL, SASLContinue, SASLFinal decode in pg-protocol', () => {
    assert.equal(one(writeAuthenticationOk).pg.name, 'authenticationOk');
    assert.equal(one(writeAuthenticationCleartextPassword).pg.name, 'authenticationCleartextPassword');
    const md5 = one((w) => writeAuthenticationMD5Password(w, Buffer.from([1, 2, 3, 4])));
    assert.equal(md5.pg.name, 'authenticationMD5Password');
    assert.deepEqual([...md5.pg.salt], [1, 2, 3, 4]);
    const sasl = one((w) => writeAuthenticationSASL(w, [SCRAM_SHA_256, 'SCRAM-SHA-256-PLUS']));
    assert.equal(sasl.pg.name, 'authenticationSASL');
    assert.deepEqual(sasl.pg.mechanisms, ['SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS']);
    const cont = one((w) => writeAuthenticationSASLContinue(w, 'r=abc,s=c2FsdA==,i=4096'));
    assert.equal(cont.pg.name, 'authenticationSASLContinue');
    assert.equal(cont.pg.data, 'r=abc,s=c2FsdA==,i=4096');
    const fin = one((w) => writeAuthenticationSASLFinal(w, Buffer.from('v=xyz')));
    assert.equal(fin.pg.name, 'authenticationSASLFinal');
    assert.equal(fin.pg.data, 'v=xyz');
  });

  it('our decoder reads the same requests back', () => {
    const w = new MessageWriter();
    const decode = () => {
      const b = w.take();
      return readAuthentication(b, 0, b.length);
    };
    writeAuthenticationOk(w);
    assert.deepEqual(decode(), { type: AuthenticationType.Ok });
    writeAuthenticationCleartextPassword(w);
    assert.deepEqual(decode(), { type: AuthenticationType.CleartextPassword });
    writeAuthenticationMD5Password(w, Buffer.from([9, 8, 7, 6]));
    const md5 = decode();
    assert.ok(md5.type === AuthenticationType.MD5Password && md5.salt.equals(Buffer.from([9, 8, 7, 6])));
    writeAuthenticationSASL(w, [SCRAM_SHA_256]);
    assert.deepEqual(decode(), { type: AuthenticationType.SASL, mechanisms: [SCRAM_SHA_256] });
    writeAuthenticationSASLContinue(w, 'r=1');
    const c = decode();
    assert.ok(c.type === AuthenticationType.SASLContinue && c.data.toString() === 'r=1');
    writeAuthenticationSASLFinal(w, 'v=2');
    const f = decode();
    assert.ok(f.type === AuthenticationType.SASLFinal && f.data.toString() === 'v=2');
    w.begin(0x52).int32(AuthenticationType.GSS).end();
    assert.deepEqual(decode(), { type: 'unsupported', code: 7 });
  });

  it('rejects bad arguments and bodies', () => {
    assert.throws(() => writeAuthenticationMD5Password(new MessageWriter(), Buffer.alloc(3)), RangeError);
    assert.throws(() => writeAuthenticationSASL(new MessageWriter(), []), RangeError);
    const empty = new MessageWriter().begin(0x52).int32(10).byte(0).end().take();
    assert.throws(() => readAuthentication(empty, 0, empty.length), /no mechanism/);
    const short = new MessageWriter().begin(0x52).int32(5).bytes(Buffer.alloc(2)).end().take();
    assert.throws(() => readAuthentication(short, 0, short.length), /insufficient data/);
  });
});

describe('ParameterStatus, BackendKeyData, ReadyForQuery, NegotiateProtocolVersion', () => {
  it('ParameterStatus', () => {
    const { bytes, pg } = one((w) => writeParameterStatus(w, 'TimeZone', 'Europe/Amsterdam'));
    assert.equal(pg.name, 'parameterStatus');
    assert.equal(pg.parameterName, 'TimeZone');
    assert.equal(pg.parameterValue, 'Europe/Amsterdam');
    assert.deepEqual(readParameterStatus(bytes, 0, bytes.length), { name: 'TimeZone', value: 'Europe/Amsterdam' });
  });

  it('BackendKeyData (protocol 3.0 four-byte secret)', () => {
    const secret = Buffer.alloc(4);
    secret.writeInt32BE(-12345, 0);
    const { bytes, pg } = one((w) => writeBackendKeyData(w, 777, secret));
    assert.equal(pg.name, 'backendKeyData');
    assert.equal(pg.processID, 777);
    assert.equal(pg.secretKey, -12345);
    const k = readBackendKeyData(bytes, 0, bytes.length);
    assert.equal(k.processId, 777);
    assert.ok(k.secretKey.equals(secret));
    assert.throws(() => writeBackendKeyData(new MessageWriter(), 1, Buffer.alloc(2)), RangeError);
  });

  it('ReadyForQuery: constants, writer and status accessor agree', () => {
    for (const [status, constant, letter] of [
      [TransactionStatus.Idle, constants.READY_FOR_QUERY_IDLE, 'I'],
      [TransactionStatus.InTransaction, constants.READY_FOR_QUERY_IN_TRANSACTION, 'T'],
      [TransactionStatus.Failed, constants.READY_FOR_QUERY_FAILED, 'E'],
    ] as const) {
      const { bytes, pg } = one((w) => writeReadyForQuery(w, status));
      assert.ok(bytes.equals(constant));
      assert.equal(pg.name, 'readyForQuery');
      assert.equal(pg.status, letter);
      assert.equal(readyForQueryStatus(bytes, 0), status);
    }
  });

  it('ParameterDescription', () => {
    const { bytes, pg } = one((w) => writeParameterDescription(w, [20, 25, 4294967295]));
    assert.equal(pg.name, 'parameterDescription');
    assert.deepEqual(pg.dataTypeIDs, [20, 25, 4294967295]);
    assert.deepEqual(readParameterDescription(bytes, 0, bytes.length), [20, 25, 4294967295]);
  });

  it('NegotiateProtocolVersion round-trips', () => {
    const w = new MessageWriter();
    writeNegotiateProtocolVersion(w, (3 << 16) | 0, ['_pq_.a', '_pq_.b']);
    const b = w.take();
    assert.equal(b[0], 0x76);
    assert.deepEqual(readNegotiateProtocolVersion(b, 0, b.length), { version: 196608, unrecognizedOptions: ['_pq_.a', '_pq_.b'] });
  });
});

describe('RowDescription / DataRow / CommandComplete', () => {
  it('RowDescription decodes in pg-protocol with the right types and sizes', () => {
    const { bytes, pg } = one((w) =>
      writeRowDescription(w, [
        { name: 'database' },
        { name: 'cl_active', typeOid: TypeOid.Int8 },
        { name: 'ok', typeOid: TypeOid.Bool },
        { name: 'amount', typeOid: TypeOid.Numeric, typeModifier: (10 << 16) + 2 + 4, tableOid: 16384, columnAttribute: 3, format: 1 },
      ]),
    );
    assert.equal(pg.name, 'rowDescription');
    assert.deepEqual(
      pg.fields.map((f: any) => [f.name, f.dataTypeID, f.dataTypeSize, f.dataTypeModifier, f.tableID, f.columnID, f.format]),
      [
        ['database', 25, -1, -1, 0, 0, 'text'],
        ['cl_active', 20, 8, -1, 0, 0, 'text'],
        ['ok', 16, 1, -1, 0, 0, 'text'],
        ['amount', 1700, -1, 655366, 16384, 3, 'binary'],
      ],
    );
    assert.equal(rowDescriptionColumnCount(bytes, 0), 4);
    const cols = readRowDescription(bytes, 0, bytes.length);
    assert.deepEqual(cols.map((c) => c.name), ['database', 'cl_active', 'ok', 'amount']);
    assert.deepEqual(cols[3], { name: 'amount', tableOid: 16384, columnAttribute: 3, typeOid: 1700, typeSize: -1, typeModifier: 655366, format: 1 });
  });

  it('DataRow encodes JS values as PostgreSQL text and pg-protocol reads them back', () => {
    const { bytes, pg } = one((w) => writeDataRow(w, ['pgdog', 42, 2n ** 63n - 1n, true, false, null, undefined, Buffer.from('raw'), 'ü✓', 1.5]));
    assert.equal(pg.name, 'dataRow');
    assert.deepEqual(pg.fields, ['pgdog', '42', '9223372036854775807', 't', 'f', null, null, 'raw', 'ü✓', '1.5']);
    assert.equal(dataRowColumnCount(bytes, 0), 10);
    const values = readDataRow(bytes, 0, bytes.length);
    assert.deepEqual(values.map((v) => (v === null ? null : v.toString())), pg.fields);
    assert.equal(values[0]?.buffer, bytes.buffer, 'views, not copies');
  });

  it('CommandComplete tags and row counts', () => {
    const cases: [string, number][] = [
      ['SELECT 5', 5], ['INSERT 0 5', 5], ['UPDATE 0', 0], ['DELETE 12', 12], ['MERGE 3', 3], ['FETCH 100', 100],
      ['MOVE 2', 2], ['COPY 1000000', 1000000], ['BEGIN', -1], ['CREATE TABLE', -1], ['SET', -1],
      ['SELECT 9007199254740991', 9007199254740991], ['CREATE TABLE 5', -1], ['SELECT', -1], ['SELECT x', -1],
    ];
    for (const [tag, count] of cases) {
      const { bytes, pg } = one((w) => writeCommandComplete(w, tag));
      assert.equal(pg.name, 'commandComplete');
      assert.equal(pg.text, tag);
      assert.equal(readCommandComplete(bytes, 0, bytes.length), tag);
      assert.equal(rowCountFromTag(tag), count, `string: ${tag}`);
      assert.equal(commandCompleteRowCount(bytes, 0, bytes.length), count, `bytes: ${tag}`);
    }
  });
});

describe('constants', () => {
  it('decode in pg-protocol as the messages they are named after', () => {
    const names = parseWithPg(Buffer.concat([
      constants.PARSE_COMPLETE, constants.BIND_COMPLETE, constants.CLOSE_COMPLETE, constants.NO_DATA,
      constants.EMPTY_QUERY_RESPONSE, constants.AUTHENTICATION_OK, constants.READY_FOR_QUERY_IDLE,
    ])).map((m) => m.name);
    assert.deepEqual(names, ['parseComplete', 'bindComplete', 'closeComplete', 'noData', 'emptyQuery', 'authenticationOk', 'readyForQuery']);
  });

  it('frontend constants equal what pg-protocol serializes', async () => {
    const { serialize } = await import('pg-protocol');
    assert.ok(constants.SYNC.equals(serialize.sync()));
    assert.ok(constants.FLUSH.equals(serialize.flush()));
    assert.ok(constants.TERMINATE.equals(serialize.end()));
    assert.ok(constants.SSL_REQUEST.equals(serialize.requestSsl()));
    assert.deepEqual([...constants.SSL_ACCEPTED, ...constants.SSL_REFUSED], [0x53, 0x4e]);
  });
});
