// Test support: a tiny PostgreSQL-speaking server built only from this protocol layer, so real
// clients (psql/libpq, node-postgres, postgres.js) can check our framing, decoders and encoders.
// It answers every query with canned results; it is not a model of the proxy engine.

import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { Framer, FramerMode, type FrameHandler, type FramingError } from '../framer.js';
import { frontendLengthLimits } from '../length-limits.js';
import { FrontendCode, isKnownFrontendCode } from '../codes.js';
import { MessageWriter } from '../writer.js';
import { SqlState } from '../sqlstate.js';
import { StartupPacketKind, readCancelRequest, readStartupMessage, startupPacketKind, negotiateProtocol } from '../frontend/startup.js';
import { readQuery } from '../frontend/query.js';
import { readParse } from '../frontend/parse.js';
import { readBind } from '../frontend/bind.js';
import { DescribeTarget, readDescribe, readClose } from '../frontend/describe-close.js';
import { readExecute } from '../frontend/execute.js';
import { readPasswordMessage } from '../frontend/password.js';
import { writeErrorResponse, writeNoticeResponse, type ErrorFields } from '../backend/error-response.js';
import { writeAuthenticationCleartextPassword, writeAuthenticationOk } from '../backend/auth.js';
import { writeParameterStatus } from '../backend/parameter-status.js';
import { writeBackendKeyData } from '../backend/backend-key-data.js';
import { writeRowDescription } from '../backend/row-description.js';
import { writeParameterDescription } from '../backend/parameter-description.js';
import { writeDataRow } from '../backend/data-row.js';
import { writeCommandComplete } from '../backend/command-complete.js';
import { writeNegotiateProtocolVersion } from '../backend/negotiate-protocol-version.js';
import * as constants from '../constants.js';

/** What an authentication hook sees of a session (the shape of auth/client-auth's AuthChannel). */
export interface FakeAuthChannel {
  send(buf: Buffer): void;
  next(): Promise<{ code: number; body: Buffer }>;
}

export type FakeAuthResult = { ok: true } | { ok: false; error: ErrorFields };

export interface FakeServerOptions {
  /** When set, clients must send this cleartext password. */
  password?: string;
  /**
   * When set, runs instead of the built-in password check (e.g. auth/client-auth's
   * authenticateClient). It must send AuthenticationOk itself on success; the session then sends
   * ParameterStatus, BackendKeyData and ReadyForQuery. On failure the session sends the error.
   */
  authenticate?: (channel: FakeAuthChannel, startup: { user: string; database: string }) => Promise<FakeAuthResult>;
  /** Client-side message size limit. */
  maxMessageLength?: number;
}

type Result =
  | { kind: 'rows'; columns: string[]; row: string[] }
  | { kind: 'error'; fields: ErrorFields }
  | { kind: 'notice' }
  | { kind: 'empty' }
  | { kind: 'block' };

/** The canned behaviour, keyed on the query text. */
function resultFor(query: string, params: string[]): Result {
  if (query.trim() === '') return { kind: 'empty' };
  if (query.includes('pg_sleep')) return { kind: 'block' };
  if (query.includes('fail')) {
    return { kind: 'error', fields: { severity: 'ERROR', sqlstate: '22012', message: 'division by zero', hint: 'do not divide by zero' } };
  }
  if (query.startsWith('DO notice')) return { kind: 'notice' };
  if (params.length > 0) return { kind: 'rows', columns: params.map((_, i) => `p${i + 1}`), row: params };
  return { kind: 'rows', columns: ['?column?'], row: ['1'] };
}

export class FakeServer {
  readonly sessions: FakeSession[] = [];
  /** Decoded client traffic of every session, in order: the assertions read this. */
  readonly log: string[] = [];
  private readonly server: net.Server;

  constructor(readonly options: FakeServerOptions = {}) {
    this.server = net.createServer((socket) => {
      const session = new FakeSession(this, socket);
      this.sessions.push(session);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

class FakeSession implements FrameHandler {
  readonly framer: Framer;
  private readonly w = new MessageWriter();
  readonly processId: number;
  readonly secretKey = randomBytes(4);
  private statements = new Map<string, { query: string; types: number[] }>();
  private portals = new Map<string, { query: string; params: string[] }>();
  /** After an error in an extended-protocol batch, skip until Sync (as PostgreSQL does). */
  private skipping = false;
  /** While a "long query" runs, later frames wait here; copied, because views expire with the callback. */
  private blocked: { code: number; frame: Buffer }[] | null = null;
  private authenticated = false;
  /** A simple Query is blocked: its ReadyForQuery is owed after the cancel. */
  private simpleBlocked = false;
  /** Client frames during a hooked authentication, copied: views expire with the callback. */
  private authInbox: { code: number; body: Buffer }[] = [];
  private authWaiter: { resolve: (f: { code: number; body: Buffer }) => void; reject: (e: Error) => void } | null = null;
  private authHooked = false;

  constructor(private readonly server: FakeServer, readonly socket: net.Socket) {
    this.processId = 1000 + server.sessions.length;
    this.framer = new Framer(this, {
      mode: FramerMode.Startup,
      lengthLimits: frontendLengthLimits(server.options.maxMessageLength),
    });
    socket.on('data', (chunk) => {
      const error = this.framer.feed(chunk);
      if (error !== null) this.fatal(error);
      this.flush();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      const waiter = this.authWaiter;
      this.authWaiter = null;
      waiter?.reject(new Error('client closed the connection'));
    });
  }

  private get log(): string[] {
    return this.server.log;
  }

  flush(): void {
    const out = this.w.take();
    if (out.length > 0 && !this.socket.destroyed) this.socket.write(out);
  }

  private fatal(error: FramingError | ErrorFields): void {
    const fields: ErrorFields = 'severity' in error ? error : { severity: 'FATAL', sqlstate: error.sqlstate, message: error.message };
    this.log.push(`fatal ${fields.sqlstate} ${fields.message}`);
    writeErrorResponse(this.w, fields);
    this.flush();
    this.socket.end();
  }

  onRun(): void {}

  onStartupPacket(requestCode: number, buf: Buffer, start: number, end: number): void {
    switch (startupPacketKind(requestCode)) {
      case StartupPacketKind.SSLRequest:
      case StartupPacketKind.GSSENCRequest:
        this.log.push(requestCode === 80877103 ? 'SSLRequest' : 'GSSENCRequest');
        if (this.framer.pendingBytes() > 0) return this.fatal({ severity: 'FATAL', sqlstate: SqlState.ProtocolViolation, message: 'received unencrypted data after SSL request' });
        this.w.frames(constants.SSL_REFUSED);
        return;
      case StartupPacketKind.CancelRequest: {
        const cancel = readCancelRequest(buf, start, end);
        this.log.push(`CancelRequest ${cancel.processId}`);
        const target = this.server.sessions.find((s) => s.processId === cancel.processId && s.secretKey.equals(cancel.secretKey));
        target?.cancel();
        this.framer.halt();
        this.socket.end();
        return;
      }
      default: {
        const m = readStartupMessage(buf, start, end);
        this.log.push(`StartupMessage user=${m.user} database=${m.database} application_name=${m.applicationName ?? ''}`);
        const decision = negotiateProtocol(m.protocolVersion, m.protocolOptions);
        if (decision.action === 'reject') return this.fatal({ severity: 'FATAL', sqlstate: decision.sqlstate, message: decision.message });
        if (decision.action === 'negotiate') writeNegotiateProtocolVersion(this.w, decision.version, decision.unrecognizedOptions);
        if (this.server.options.authenticate !== undefined) this.runAuthHook(this.server.options.authenticate, m.user ?? '', m.database ?? m.user ?? '');
        else if (this.server.options.password !== undefined) writeAuthenticationCleartextPassword(this.w);
        else this.login();
      }
    }
  }

  private runAuthHook(hook: NonNullable<FakeServerOptions['authenticate']>, user: string, database: string): void {
    this.authHooked = true;
    const channel: FakeAuthChannel = {
      // Through the session's writer, so anything it wrote first (NegotiateProtocolVersion) leaves first.
      send: (buf) => { this.w.frames(buf); this.flush(); },
      next: () => {
        const frame = this.authInbox.shift();
        if (frame !== undefined) return Promise.resolve(frame);
        if (this.socket.destroyed) return Promise.reject(new Error('client closed the connection'));
        return new Promise((resolve, reject) => { this.authWaiter = { resolve, reject }; });
      },
    };
    hook(channel, { user, database }).then((result) => {
      this.authInbox = [];
      if (result.ok) {
        this.log.push(`auth ok ${user}`);
        this.login(false);
        this.flush();
      } else {
        this.fatal(result.error);
      }
    }, (error: unknown) => this.fatal({ severity: 'FATAL', sqlstate: SqlState.InternalError, message: String(error) }));
  }

  private login(sendOk = true): void {
    this.authenticated = true;
    if (sendOk) writeAuthenticationOk(this.w);
    for (const [k, v] of [['server_version', '15.0'], ['server_encoding', 'UTF8'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'],
      ['integer_datetimes', 'on'], ['standard_conforming_strings', 'on'], ['TimeZone', 'UTC']]) {
      writeParameterStatus(this.w, k, v);
    }
    writeBackendKeyData(this.w, this.processId, this.secretKey);
    this.w.frames(constants.READY_FOR_QUERY_IDLE);
  }

  cancel(): void {
    if (this.blocked === null) return;
    writeErrorResponse(this.w, { severity: 'ERROR', sqlstate: SqlState.QueryCanceled, message: 'canceling statement due to user request' });
    const queued = this.blocked;
    this.blocked = null;
    this.skipping = true;
    for (const { code, frame } of queued) this.onMessage(code, frame, 0, frame.length);
    if (this.simpleBlocked) {
      this.simpleBlocked = false;
      this.skipping = false;
      this.w.frames(constants.READY_FOR_QUERY_IDLE);
    }
    this.flush();
  }

  onMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.blocked !== null) {
      this.blocked.push({ code, frame: Buffer.from(buf.subarray(start, end)) });
      return;
    }
    if (!isKnownFrontendCode(code)) return this.fatal({ severity: 'FATAL', sqlstate: SqlState.ProtocolViolation, message: `invalid frontend message type ${code}` });
    if (!this.authenticated && this.authHooked) {
      const frame = { code, body: Buffer.from(buf.subarray(start + 5, end)) };
      const waiter = this.authWaiter;
      this.authWaiter = null;
      if (waiter !== null) waiter.resolve(frame);
      else this.authInbox.push(frame);
      return;
    }
    if (!this.authenticated) {
      if (code !== FrontendCode.PasswordMessage) return this.fatal({ severity: 'FATAL', sqlstate: SqlState.ProtocolViolation, message: 'expected password response' });
      const password = readPasswordMessage(buf, start, end);
      this.log.push(`PasswordMessage ${password}`);
      if (password !== this.server.options.password) {
        return this.fatal({ severity: 'FATAL', sqlstate: SqlState.InvalidPassword, message: 'password authentication failed for user "alice"' });
      }
      return this.login();
    }
    if (this.skipping && code !== FrontendCode.Sync) return;
    switch (code) {
      case FrontendCode.Query: {
        const text = readQuery(buf, start, end);
        this.log.push(`Query ${text}`);
        this.respond(resultFor(text, []), true);
        if (this.blocked === null) this.w.frames(constants.READY_FOR_QUERY_IDLE);
        else this.simpleBlocked = true;
        return;
      }
      case FrontendCode.Parse: {
        const p = readParse(buf, start, end);
        this.log.push(`Parse ${p.statement} ${p.query} [${p.parameterTypes.join(',')}]`);
        this.statements.set(p.statement, { query: p.query, types: p.parameterTypes });
        this.w.frames(constants.PARSE_COMPLETE);
        return;
      }
      case FrontendCode.Bind: {
        const b = readBind(buf, start, end);
        const formats = b.parameters.map((_, i) => (b.parameterFormats.length === 0 ? 0 : b.parameterFormats[b.parameterFormats.length === 1 ? 0 : i]));
        // Text values as they are; binary ones shown as hex so tests can see the exact bytes.
        const params = b.parameters.map((v, i) => (v === null ? 'NULL' : formats[i] === 1 ? `\\x${v.toString('hex')}` : v.toString()));
        this.log.push(`Bind ${b.portal} ${b.statement} (${params.join(', ')})`);
        const statement = this.statements.get(b.statement);
        if (statement === undefined) return this.error({ severity: 'ERROR', sqlstate: SqlState.InvalidSqlStatementName, message: `prepared statement "${b.statement}" does not exist` });
        this.portals.set(b.portal, { query: statement.query, params });
        this.w.frames(constants.BIND_COMPLETE);
        return;
      }
      case FrontendCode.Describe: {
        const d = readDescribe(buf, start, end);
        this.log.push(`Describe ${String.fromCharCode(d.target)} ${d.name}`);
        if (d.target === DescribeTarget.Statement) {
          const s = this.statements.get(d.name);
          const n = s ? Math.max(s.types.length, (s.query.match(/\$\d+/g) ?? []).length) : 0;
          writeParameterDescription(this.w, Array.from({ length: n }, (_, i) => s?.types[i] || 25));
          this.describeRows(resultFor(s?.query ?? '', Array.from({ length: n }, () => '')));
        } else {
          const p = this.portals.get(d.name);
          this.describeRows(resultFor(p?.query ?? '', p?.params ?? []));
        }
        return;
      }
      case FrontendCode.Execute: {
        const e = readExecute(buf, start, end);
        this.log.push(`Execute ${e.portal}`);
        const p = this.portals.get(e.portal);
        this.respond(resultFor(p?.query ?? '', p?.params ?? []), false);
        return;
      }
      case FrontendCode.Close: {
        const c = readClose(buf, start, end);
        this.log.push(`Close ${String.fromCharCode(c.target)} ${c.name}`);
        (c.target === DescribeTarget.Statement ? this.statements : this.portals).delete(c.name);
        this.w.frames(constants.CLOSE_COMPLETE);
        return;
      }
      case FrontendCode.Sync:
        this.log.push('Sync');
        this.skipping = false;
        this.w.frames(constants.READY_FOR_QUERY_IDLE);
        return;
      case FrontendCode.Flush:
        this.log.push('Flush');
        return;
      case FrontendCode.Terminate:
        this.log.push('Terminate');
        this.framer.halt();
        this.socket.end();
        return;
      default:
        this.log.push(`unhandled ${String.fromCharCode(code)}`);
    }
  }

  private error(fields: ErrorFields): void {
    writeErrorResponse(this.w, fields);
    this.skipping = true;
  }

  private describeRows(result: Result): void {
    if (result.kind === 'rows') writeRowDescription(this.w, result.columns.map((name) => ({ name })));
    else this.w.frames(constants.NO_DATA);
  }

  private respond(result: Result, simple: boolean): void {
    switch (result.kind) {
      case 'rows':
        if (simple) this.describeRows(result);
        writeDataRow(this.w, result.row);
        writeCommandComplete(this.w, 'SELECT 1');
        return;
      case 'error':
        writeErrorResponse(this.w, result.fields);
        if (!simple) this.skipping = true;
        return;
      case 'notice':
        writeNoticeResponse(this.w, { severity: 'WARNING', sqlstate: SqlState.Warning, message: 'careful' });
        writeCommandComplete(this.w, 'DO');
        return;
      case 'empty':
        this.w.frames(constants.EMPTY_QUERY_RESPONSE);
        return;
      case 'block':
        this.blocked = [];
        return;
    }
  }
}
