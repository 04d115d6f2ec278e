import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BackendCode, FrontendCode, StartupRequestCode, frontendCodes, isKnownFrontendCode } from './codes.js';
import { SqlState, isConnectionException } from './sqlstate.js';

describe('codes', () => {
  it('are the letters of the protocol documentation', () => {
    const letters = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String.fromCharCode(v)]));
    assert.deepEqual(
      letters({
        Query: FrontendCode.Query, Parse: FrontendCode.Parse, Bind: FrontendCode.Bind, Execute: FrontendCode.Execute,
        Describe: FrontendCode.Describe, Sync: FrontendCode.Sync, Flush: FrontendCode.Flush, Close: FrontendCode.Close,
        CopyData: FrontendCode.CopyData, CopyDone: FrontendCode.CopyDone, CopyFail: FrontendCode.CopyFail,
        Terminate: FrontendCode.Terminate, PasswordMessage: FrontendCode.PasswordMessage, FunctionCall: FrontendCode.FunctionCall,
      }),
      { Query: 'Q', Parse: 'P', Bind: 'B', Execute: 'E', Describe: 'D', Sync: 'S', Flush: 'H', Close: 'C', CopyData: 'd',
        CopyDone: 'c', CopyFail: 'f', Terminate: 'X', PasswordMessage: 'p', FunctionCall: 'F' },
    );
    assert.equal(
      [BackendCode.DataRow, BackendCode.CommandComplete, BackendCode.ErrorResponse, BackendCode.ReadyForQuery,
        BackendCode.RowDescription, BackendCode.ParameterStatus, BackendCode.BackendKeyData, BackendCode.Authentication,
        BackendCode.NoticeResponse, BackendCode.NotificationResponse, BackendCode.ParseComplete, BackendCode.BindComplete,
        BackendCode.CloseComplete, BackendCode.NoData, BackendCode.PortalSuspended, BackendCode.EmptyQueryResponse,
        BackendCode.ParameterDescription, BackendCode.CopyInResponse, BackendCode.CopyOutResponse,
        BackendCode.CopyBothResponse, BackendCode.CopyData, BackendCode.CopyDone, BackendCode.FunctionCallResponse,
        BackendCode.NegotiateProtocolVersion].map((c) => String.fromCharCode(c)).join(''),
      'DCEZTSKRNA123nsItGHWdcVv',
    );
    assert.equal(StartupRequestCode.ProtocolVersion3, (3 << 16) | 0);
    assert.equal(StartupRequestCode.SSLRequest, (1234 << 16) | 5679);
    assert.equal(StartupRequestCode.CancelRequest, (1234 << 16) | 5678);
    assert.equal(StartupRequestCode.GSSENCRequest, (1234 << 16) | 5680);
  });

  it('isKnownFrontendCode accepts exactly the 14 frontend codes', () => {
    const known = [];
    for (let c = -5; c < 300; c++) if (isKnownFrontendCode(c)) known.push(c);
    assert.deepEqual(known, [...frontendCodes()].sort((a, b) => a - b));
    assert.equal(known.length, 14);
    assert.equal(isKnownFrontendCode(81.5), false);
  });

  it('SqlState names map to the PostgreSQL codes a pooler needs', () => {
    assert.equal(SqlState.InvalidPassword, '28P01');
    assert.equal(SqlState.ProtocolViolation, '08P01');
    assert.equal(SqlState.TooManyConnections, '53300');
    assert.equal(SqlState.AdminShutdown, '57P01');
    assert.equal(SqlState.IdleSessionTimeout, '57P05');
    for (const v of Object.values(SqlState)) assert.match(v, /^[0-9A-Z]{5}$/);
    assert.equal(isConnectionException(SqlState.ConnectionFailure), true);
    assert.equal(isConnectionException(SqlState.QueryCanceled), false);
  });
});
