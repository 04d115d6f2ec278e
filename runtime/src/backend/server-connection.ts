// One connection to PostgreSQL: connect (TCP, TLS), log in, capture ParameterStatus and
// BackendKeyData, then either forward frames to an attached sink (a client session) or run the
// pool's own statements while detached.

import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ServerLoginOptions } from '../auth/server-login.js';
import { BackendCode } from '../protocol/codes.js';
import { TERMINATE } from '../protocol/constants.js';
import { ErrorField, errorField } from '../protocol/backend/error-response.js';
import { readParameterStatus } from '../protocol/backend/parameter-status.js';
import type { BackendKeyData } from '../protocol/backend/backend-key-data.js';
import { TransactionStatus, readyForQueryStatus } from '../protocol/backend/ready-for-query.js';
import { Framer, type FrameHandler } from '../protocol/framer.js';
import { uniformLengthLimits } from '../protocol/length-limits.js';
import { MalformedMessageError } from '../protocol/malformed-message.js';
import { SqlState } from '../protocol/sqlstate.js';
import { sendCancel } from './cancel.js';
import { describeAddress, openServerStream, type ServerAddress, type ServerStream, type ServerTlsOptions } from './connect-socket.js';
import { InternalQuery, queryMessage, type InternalResult } from './internal-query.js';
import { ServerError, connectionLost, serverErrorFromResponse } from './server-error.js';
import type { ServerSink } from './server-sink.js';
import { StartupPhase, startupMessage } from './startup-phase.js';
import { timerDelay } from './timer-delay.js';

export type { ServerSink };

export interface ServerConnectOptions {
  readonly user: string;
  readonly password: string | null;
  readonly database: string;
  /** Extra startup parameters (GUC defaults such as statement_timeout). */
  readonly startupParams?: Readonly<Record<string, string>>;
  /** Default 'pgdog'. */
  readonly applicationName?: string;
  /** Covers TCP connect, TLS and login, up to the first ReadyForQuery. */
  readonly connectTimeoutMs: number;
  /** Default: prefer. */
  readonly tls?: ServerTlsOptions;
  /** Largest server message accepted (int32 length word). Default: PostgreSQL's 1 GiB - 2. */
  readonly maxMessageLength?: number;
  readonly login?: ServerLoginOptions;
}

const enum Phase {
  Startup,
  Ready,
  Internal,
  Closed,
}

const PREFER: ServerTlsOptions = Object.freeze({ mode: 'prefer' });
/** How long a Terminate may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

let nextId = 1;

export class ServerConnection implements FrameHandler {
  readonly id: number;
  readonly address: ServerAddress;
  readonly tls: ServerTlsOptions;
  /** performance.now() at creation / at the last detach (monotonic ms). */
  readonly createdAt: number;
  lastUsedAt: number;
  private readonly sock: net.Socket;
  private readonly framer: Framer;
  private phase: Phase;
  private sink: ServerSink | null;
  private runSink: ServerSink | null;
  private status: TransactionStatus;
  private parameters: Map<string, string>;
  private key: BackendKeyData | null;
  private startup: StartupPhase | null;
  private startupWait: { resolve: () => void; reject: (e: ServerError) => void } | null;
  private internal: InternalQuery | null;
  private closeError: ServerError | null;
  private serverFatal: ServerError | null;
  private socketError: ServerError | null;
  private closing: boolean;
  private paused: boolean;
  private closeListener: ((conn: ServerConnection, err: ServerError) => void) | null;
  private method: string | null;

  /** Connects and logs in; rejects with a ServerError (the server's own for auth failures). */
  static async connect(address: ServerAddress, opts: ServerConnectOptions): Promise<ServerConnection> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const msg = `pgdog: connecting to server ${describeAddress(address)} timed out after ${opts.connectTimeoutMs} ms`;
      controller.abort(new ServerError(SqlState.SqlClientUnableToEstablishSqlConnection, msg));
    }, timerDelay(opts.connectTimeoutMs));
    try {
      const stream = await openServerStream(address, opts.tls ?? PREFER, controller.signal);
      const conn = new ServerConnection(stream, address, opts);
      await conn.ready(controller.signal);
      return conn;
    } finally {
      clearTimeout(timer);
    }
  }

  private constructor(stream: ServerStream, address: ServerAddress, opts: ServerConnectOptions) {
    const socket = stream.socket;
    this.id = nextId++;
    this.address = address;
    this.tls = opts.tls ?? PREFER;
    this.createdAt = performance.now();
    this.lastUsedAt = this.createdAt;
    this.sock = socket;
    // Plain TCP reads land in one reused buffer: views handed to sinks die with the callback.
    this.framer = new Framer(this, { lengthLimits: uniformLengthLimits(opts.maxMessageLength), reusedChunks: stream.reader.reusesMemory });
    this.phase = Phase.Startup;
    this.sink = null;
    this.runSink = null;
    this.status = TransactionStatus.Idle;
    this.parameters = new Map();
    this.key = null;
    this.startup = new StartupPhase({ user: opts.user, password: opts.password }, (b) => this.sock.write(b), opts.login);
    this.startupWait = null;
    this.internal = null;
    this.closeError = null;
    this.serverFatal = null;
    this.socketError = null;
    this.closing = false;
    this.paused = false;
    this.closeListener = null;
    this.method = null;
    stream.reader.setConsumer((chunk) => this.onData(chunk));
    socket.on('error', (e: Error) => {
      this.socketError ??= connectionLost(`pgdog: connection to server ${describeAddress(address)} failed: ${e.message}`, e);
    });
    socket.on('close', () => this.onSocketClose());
    socket.on('drain', () => this.sink?.onServerDrain());
    const params = { application_name: opts.applicationName ?? 'pgdog', ...opts.startupParams };
    socket.write(startupMessage(opts.user, opts.database, params));
    socket.resume();
  }

  private ready(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      this.startupWait = { resolve, reject };
      if (signal.aborted) this.fail(signal.reason as ServerError);
      else signal.addEventListener('abort', () => this.fail(signal.reason as ServerError), { once: true });
    });
  }

  // ---- state ---------------------------------------------------------------------------

  /** Status byte of the last ReadyForQuery. */
  get txStatus(): TransactionStatus {
    return this.status;
  }

  /** ParameterStatus values announced by the server (kept current while forwarding). */
  get params(): ReadonlyMap<string, string> {
    return this.parameters;
  }

  get backendKey(): BackendKeyData | null {
    return this.key;
  }

  get closed(): boolean {
    return this.phase === Phase.Closed;
  }

  get attached(): boolean {
    return this.sink !== null;
  }

  /** The socket, for a writer that batches writes per event-loop turn. Never read from it. */
  get socket(): net.Socket {
    return this.sock;
  }

  /** The method the server asked for at login (trust, password, md5, scram-sha-256). */
  get authMethod(): string | null {
    return this.method;
  }

  /** The pool's hook: called once when the connection is gone, whatever the reason. */
  setCloseListener(listener: ((conn: ServerConnection, err: ServerError) => void) | null): void {
    this.closeListener = listener;
  }

  // ---- forwarding ----------------------------------------------------------------------

  /** Routes the server's output to `sink`. On a closed connection the sink hears so at once (async). */
  attach(sink: ServerSink): void {
    if (this.phase === Phase.Closed) {
      const err = this.closeError ?? connectionLost('pgdog: server connection is closed');
      queueMicrotask(() => sink.onServerClosed(err));
      return;
    }
    if (this.phase !== Phase.Ready || this.sink !== null) throw new Error(`ServerConnection ${this.id}: attach while busy`);
    this.sink = sink;
  }

  detach(): void {
    this.sink = null;
    this.lastUsedAt = performance.now();
    if (this.paused) this.resume();
  }

  /** Queues bytes for the server; false means its buffer is full: wait for onServerDrain. */
  write(buf: Uint8Array): boolean {
    if (this.phase === Phase.Closed || this.closing) return true;
    return this.sock.write(buf);
  }

  /** Stops reading from the server (its client cannot keep up). */
  pause(): void {
    this.paused = true;
    this.sock.pause();
  }

  resume(): void {
    this.paused = false;
    this.sock.resume();
  }

  /** From inside onServerMessage: the current frame is left out of the forwarded run. */
  consumeCurrentFrame(): void {
    this.framer.consume();
  }

  onMessage(code: number, buf: Buffer, start: number, end: number): void {
    if (this.phase === Phase.Ready) {
      if (code === BackendCode.ReadyForQuery) this.status = readyForQueryStatus(buf, start);
      else if (code === BackendCode.ErrorResponse) this.noteError(buf, start, end);
      else if (code === BackendCode.ParameterStatus) this.noteParameter(buf, start, end);
      const sink = this.sink;
      if (sink !== null) {
        if (this.runSink === null) this.runSink = sink;
        sink.onServerMessage(code, buf, start, end);
      } else {
        this.onUnsolicited(code);
      }
    } else if (this.phase === Phase.Internal) {
      if (code === BackendCode.ReadyForQuery) this.status = readyForQueryStatus(buf, start);
      else if (code === BackendCode.ErrorResponse) this.noteError(buf, start, end);
      if ((this.internal as InternalQuery).onMessage(code, buf, start, end)) {
        this.internal = null;
        this.phase = Phase.Ready;
      }
    } else if (this.phase === Phase.Startup) {
      const startup = this.startup as StartupPhase;
      if (startup.onMessage(code, buf, start, end)) this.finishStartup(startup);
    }
  }

  onRun(buf: Buffer, start: number, end: number): void {
    const sink = this.runSink;
    if (sink !== null) {
      this.runSink = null;
      sink.onServerRun(buf, start, end);
    }
  }

  onStartupPacket(): void {
    // The framer starts in typed mode for servers; untyped packets never reach here.
  }

  // ---- the pool's own statements ---------------------------------------------------------

  /**
   * Runs `sql` as a simple query while detached and idle. Rejects with the server's error (the
   * connection stays usable), or, past `timeoutMs`, closes the connection and rejects with 57014.
   */
  runInternal(sql: string, timeoutMs: number): Promise<InternalResult> {
    if (this.phase === Phase.Closed) return Promise.reject(this.closeError ?? connectionLost('pgdog: server connection is closed'));
    if (this.phase !== Phase.Ready || this.sink !== null) return Promise.reject(new Error(`ServerConnection ${this.id}: runInternal while attached or busy`));
    this.phase = Phase.Internal;
    const query = new InternalQuery(sql, timeoutMs, (err) => this.fail(err));
    this.internal = query;
    this.sock.write(queryMessage(sql));
    return query.done;
  }

  /** Sends a CancelRequest for whatever this connection is running, on a fresh connection. */
  cancel(timeoutMs = 5000): Promise<void> {
    const key = this.key;
    if (key === null) return Promise.reject(new Error('pgdog: server sent no BackendKeyData; cannot cancel'));
    return sendCancel(this.address.host, this.address.port, key.processId, key.secretKey, this.tls, timeoutMs);
  }

  // ---- closing ---------------------------------------------------------------------------

  /** Says goodbye (Terminate) and closes. Idempotent; the sink and the close listener are told. */
  close(reason: string): void {
    if (this.phase === Phase.Closed || this.closing) return;
    this.closing = true;
    this.closeError ??= connectionLost(`pgdog: server connection closed: ${reason}`);
    if (this.phase === Phase.Startup || this.sock.destroyed) {
      this.sock.destroy();
      return;
    }
    this.sock.end(TERMINATE);
    setTimeout(() => this.sock.destroy(), CLOSE_GRACE_MS).unref();
  }

  private fail(err: ServerError): void {
    if (this.phase === Phase.Closed) return;
    this.closeError ??= err;
    this.sock.destroy();
  }

  private onData(chunk: Buffer): void {
    let failure;
    try {
      failure = this.framer.feed(chunk);
    } catch (e) {
      this.fail(asServerError(e));
      return;
    }
    if (failure !== null) this.fail(new ServerError(failure.sqlstate, `pgdog: ${failure.message} from server`));
  }

  private onSocketClose(): void {
    if (this.phase === Phase.Closed) return;
    this.phase = Phase.Closed;
    // Ours (a deliberate close) first, then the server's FATAL, then what the socket said.
    const err = this.closeError ?? this.serverFatal ?? this.socketError ?? connectionLost(`pgdog: server ${describeAddress(this.address)} closed the connection unexpectedly`);
    this.closeError = err;
    const startupWait = this.startupWait;
    this.startupWait = null;
    startupWait?.reject(err);
    this.internal?.fail(err);
    this.internal = null;
    const sink = this.sink;
    this.sink = null;
    this.runSink = null;
    sink?.onServerClosed(err);
    this.closeListener?.(this, err);
  }

  private finishStartup(startup: StartupPhase): void {
    this.parameters = startup.params;
    this.key = startup.backendKey;
    this.status = startup.status as TransactionStatus;
    this.method = startup.authMethod;
    this.startup = null;
    this.phase = Phase.Ready;
    const wait = this.startupWait;
    this.startupWait = null;
    wait?.resolve();
  }

  /** A FATAL error precedes the server closing the connection; keep it as the reason. */
  private noteError(buf: Buffer, start: number, end: number): void {
    if (errorField(buf, start, end, ErrorField.SeverityNonLocalized) === 'FATAL' || errorField(buf, start, end, ErrorField.Severity) === 'FATAL') {
      this.serverFatal ??= serverErrorFromResponse(buf, start, end);
    }
  }

  private noteParameter(buf: Buffer, start: number, end: number): void {
    const p = readParameterStatus(buf, start, end);
    this.parameters.set(p.name, p.value);
  }

  /** Output while detached: async notices are fine; anything else means the stream is out of sync. */
  private onUnsolicited(code: number): void {
    if (code === BackendCode.NoticeResponse || code === BackendCode.NotificationResponse || code === BackendCode.ParameterStatus || code === BackendCode.ErrorResponse) return;
    this.fail(new ServerError(SqlState.ProtocolViolation, `pgdog: unexpected message 0x${code.toString(16)} from idle server connection`));
  }
}

function asServerError(e: unknown): ServerError {
  if (e instanceof ServerError) return e;
  if (e instanceof MalformedMessageError) return new ServerError(e.sqlstate, `pgdog: malformed message from server: ${e.message}`, { cause: e });
  return new ServerError(SqlState.InternalError, `pgdog: handling a server message failed: ${(e as Error).message}`, { cause: e });
}
