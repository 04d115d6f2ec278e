import type { Socket } from 'node:net';
import { authenticateClient } from '../auth/client-auth.js';
import { SocketWriter, type Pausable } from '../net/socket-writer.js';
import { SMALL_READ_BUFFER_SIZE, SocketReader } from '../net/socket-reader.js';
import { Framer, FramerMode, type FrameHandler } from '../protocol/framer.js';
import { SSL_ACCEPTED, SSL_REFUSED } from '../protocol/constants.js';
import { writeErrorResponse, type ErrorFields } from '../protocol/backend/error-response.js';
import { writeNegotiateProtocolVersion } from '../protocol/backend/negotiate-protocol-version.js';
import { MalformedMessageError } from '../protocol/malformed-message.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import { AuthFrameQueue } from './auth-channel.js';
import type { CancelTarget } from './cancel-registry.js';
import type { ServerPort, CheckoutFailure } from './server-port.js';
import { Forwarder } from './forwarder.js';
import { PauseReason, type ForwarderHost } from './forwarder-host.js';
import type { FrontendContext } from './frontend-context.js';
import { IdleWatchdog } from './idle-watchdog.js';
import { IdleInTransactionWatchdog } from './idle-in-transaction.js';
import { QueryRouter } from './query-router.js';
import { completeLogin, type LoginRequest } from './login.js';
import { decideStartupPacket } from './startup.js';
import { upgradeToTls } from './tls.js';

/** Reads a client makes before it gets a read buffer of its own (see SocketReader). */
const CLIENT_READS_BEFORE_BUFFER = 32;

export const enum SessionPhase {
  Startup = 0,
  Auth = 1,
  Ready = 2,
  Closed = 3,
}

/**
 * One client connection: sequences startup -> authentication -> login -> forwarding -> close, and
 * owns the client socket, its framer and its writer. The forwarding itself is the Forwarder's.
 */
export class Session implements FrameHandler, ForwarderHost, CancelTarget {
  private readonly ctx: FrontendContext;
  private socket: Socket;
  private tlsActive: boolean;
  clientWriter: SocketWriter;
  readonly clientReads: Pausable;
  private readonly mainFramer: Framer;
  /** The main framer, or a short-lived one while frames received during login are replayed. */
  private activeFramer: Framer;
  /** The framer replay() uses (see there), and whether a replay is under way. */
  private replayFramer: Framer | null = null;
  private replaying = false;
  private readonly w: MessageWriter;
  phase: SessionPhase;
  private readonly auth: AuthFrameQueue;
  private forwarder: Forwarder | null;
  private pauseReasons: number;
  private loginTimer: NodeJS.Timeout | null;
  private idleWatchdog: IdleWatchdog | null;
  private idleTxWatchdog: IdleInTransactionWatchdog | null;
  private processId: number;
  private admitted: boolean;
  private closeWhenIdle: boolean;
  user: string;
  database: string;
  readonly remote: string;
  private readonly onDataBound: (chunk: Buffer) => void;
  private readonly reader: SocketReader;
  private readonly onCloseBound: () => void;
  private readonly onDone: (s: Session) => void;

  constructor(socket: Socket, ctx: FrontendContext, onDone: (s: Session) => void) {
    this.ctx = ctx;
    this.socket = socket;
    this.tlsActive = false;
    this.clientWriter = new SocketWriter(socket);
    this.clientReads = {
      pause: () => this.pauseClient(PauseReason.ServerFull),
      resume: () => this.resumeClient(PauseReason.ServerFull),
    };
    // Chunks are views of the reader's reused buffer: a partial frame must be copied.
    this.mainFramer = new Framer(this, { mode: FramerMode.Startup, lengthLimits: ctx.framerLimits, reusedChunks: true });
    this.activeFramer = this.mainFramer;
    this.w = new MessageWriter(512);
    this.phase = SessionPhase.Startup;
    this.auth = new AuthFrameQueue((buf) => this.clientWriter.write(buf));
    this.forwarder = null;
    this.pauseReasons = 0;
    this.loginTimer = null;
    this.idleWatchdog = null;
    this.idleTxWatchdog = null;
    this.processId = 0;
    this.admitted = false;
    this.closeWhenIdle = false;
    this.user = '';
    this.database = '';
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.onDataBound = (chunk) => this.onData(chunk);
    // Clients are many and mostly idle: a buffer of their own only once busy, small at first.
    this.reader = new SocketReader({ bufferSize: SMALL_READ_BUFFER_SIZE, readsBeforeBuffer: CLIENT_READS_BEFORE_BUFFER });
    this.reader.setConsumer(this.onDataBound);
    this.reader.adopt(socket);
    this.onCloseBound = () => this.close();
    this.onDone = onDone;

    socket.setNoDelay(true);
    this.listen(socket);
    const loginTimeout = ctx.snapshot.general.client_login_timeout;
    if (loginTimeout > 0) {
      this.loginTimer = setTimeout(() => this.fail({ sqlstate: SqlState.QueryCanceled, message: 'canceling authentication due to timeout' }), loginTimeout);
    }
  }

  /** A getter, so that checks made after an await are not narrowed away by the compiler. */
  get closed(): boolean {
    return this.phase === SessionPhase.Closed;
  }

  get framer(): Framer {
    return this.activeFramer;
  }

  private listen(socket: Socket): void {
    socket.on('end', this.onCloseBound);
    socket.on('close', this.onCloseBound);
    socket.on('error', (err) => {
      this.ctx.logger.debug({ err, client: this.remote }, 'client socket error');
      this.close();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.idleWatchdog !== null) this.idleWatchdog.lastActivity = Date.now();
    this.feed(this.mainFramer, chunk);
  }

  /** Any fault in the client's stream ends this client, and only this client. */
  private feed(framer: Framer, chunk: Buffer): void {
    let err;
    try {
      err = framer.feed(chunk);
    } catch (e) {
      this.forwarder?.endLookahead(framer);
      if (e instanceof MalformedMessageError) {
        // A body that does not parse (decoded in statement mode): the client is out of step.
        this.fail({ sqlstate: e.sqlstate, message: e.message });
        return;
      }
      this.ctx.logger.error({ err: e, client: this.remote }, 'client message handling failed');
      this.fail({ sqlstate: SqlState.InternalError, message: 'internal error while processing a client message' });
      return;
    }
    // A look-ahead batch ends with its Sync, in this feed; a halt before it must not leave it open.
    const f = this.forwarder;
    if (f !== null && f.aheadOpen) f.endLookahead(framer);
    if (err !== null) this.fail({ sqlstate: err.sqlstate, message: err.message });
  }

  // ---- FrameHandler --------------------------------------------------------------------------

  onMessage(code: number, buf: Buffer, start: number, end: number): void {
    const f = this.forwarder;
    if (f !== null) {
      f.onClientMessage(code, buf, start, end);
      return;
    }
    if (this.phase !== SessionPhase.Auth) return;
    if (!this.auth.push(buf, start, end)) {
      this.framer.halt();
      this.fail({ sqlstate: SqlState.ProtocolViolation, message: 'too much data before authentication completed' });
    }
  }

  onRun(buf: Buffer, start: number, end: number): void {
    const f = this.forwarder;
    if (f !== null) f.onClientRun(buf, start, end);
  }

  onStartupPacket(requestCode: number, buf: Buffer, start: number, end: number): void {
    const action = decideStartupPacket(requestCode, buf, start, end, {
      tlsAvailable: this.ctx.tls.context !== null,
      tlsActive: this.tlsActive,
      tlsRequired: this.ctx.tls.required,
      pendingBytes: this.framer.pendingBytes(),
    });
    switch (action.kind) {
      case 'ssl':
        if (action.accept) this.startTls();
        else this.clientWriter.write(SSL_REFUSED);
        return;
      case 'gssenc':
        this.clientWriter.write(SSL_REFUSED);
        return;
      case 'cancel':
        this.framer.halt();
        this.ctx.cancels.cancel(action.processId, action.secretKey);
        this.close();
        return;
      case 'drop':
        this.framer.halt();
        this.close();
        return;
      case 'fatal':
        this.framer.halt();
        this.fail(action);
        return;
      case 'login':
        if (action.negotiate !== null) {
          this.clientWriter.write(writeNegotiateProtocolVersion(this.w, action.negotiate.version, action.negotiate.unrecognizedOptions).take());
        }
        this.user = action.user;
        this.database = action.database;
        if (this.ctx.shuttingDown) return this.failInStartup(SqlState.CannotConnectNow, 'the database system is shutting down');
        if (!this.ctx.admitClient()) return this.failInStartup(SqlState.TooManyConnections, 'sorry, too many clients already');
        this.admitted = true;
        this.phase = SessionPhase.Auth;
        this.login({ user: action.user, database: action.database, applicationName: action.startup.applicationName, startup: action.startup.parameters }).catch((err) => {
          this.ctx.logger.error({ err, client: this.remote }, 'login failed');
          this.fail({ sqlstate: SqlState.InternalError, message: 'internal error during login' });
        });
    }
  }

  private failInStartup(sqlstate: string, message: string): void {
    this.framer.halt();
    this.fail({ sqlstate, message });
  }

  // ---- TLS -----------------------------------------------------------------------------------

  private startTls(): void {
    this.framer.halt();
    const plain = this.socket;
    this.reader.setConsumer(null);
    this.reader.pause();
    // The 'S' must reach the client before TLS takes the socket over; it answers with its hello.
    plain.write(SSL_ACCEPTED, (err) => {
      if (err || this.phase === SessionPhase.Closed) return;
      const secure = upgradeToTls(plain, this.ctx.tls.context!);
      this.socket = secure;
      this.tlsActive = true;
      this.clientWriter = new SocketWriter(secure);
      this.listen(secure);
      this.reader.listen(secure);
      this.reader.setConsumer(this.onDataBound);
    });
  }

  // ---- login ---------------------------------------------------------------------------------

  private async login(req: LoginRequest): Promise<void> {
    const ctx = this.ctx;
    const result = await authenticateClient(this.auth, req, (user) => ctx.credentials(user, req.database), ctx.snapshot.general.auth_type);
    if (this.closed) return;
    if (!result.ok) {
      this.logAuthFailure(result.error.sqlstate, result.error.message);
      this.fail(result.error);
      return;
    }
    this.pauseClient(PauseReason.Login);
    const login = await completeLogin(ctx, req);
    if (this.closed) {
      if (login.ok && login.lease !== null) login.lease.release('clean');
      return;
    }
    if (!login.ok) {
      this.fail(login.error);
      return;
    }
    const key = ctx.cancels.register(this);
    this.processId = key.processId;
    this.clientWriter.write(login.greeting(key));
    this.clearLoginTimer();
    this.phase = SessionPhase.Ready;
    const router = login.routing === null ? null : new QueryRouter(login.routing, req.database, req.user, req.applicationName);
    this.forwarder = new Forwarder(this, login.pool, login.forwarderOptions, login.lease, router, login.tracking);
    if (ctx.snapshot.general.log_connections) {
      ctx.logger.info({ client: this.remote, user: req.user, database: req.database, tls: this.tlsActive }, 'client logged in');
    }
    this.replayEarlyFrames();
    this.armIdleTimer();
    this.resumeClient(PauseReason.Login);
    if (this.ctx.shuttingDown) this.beginShutdown();
  }

  /** Frames that arrived while the login was finishing go through the forwarder in order. */
  private replayEarlyFrames(): void {
    const early = this.auth.drainRemaining();
    if (early !== null) this.replay(early);
  }

  /**
   * Complete frames go through the forwarder in order, on a framer of their own: one kept for
   * replays (a sharded client replays every batch), a fresh one for a replay inside a replay.
   */
  replay(frames: Buffer): void {
    if (this.phase === SessionPhase.Closed) return;
    const previous = this.activeFramer;
    const nested = this.replaying;
    const replay = nested ? new Framer(this, { mode: FramerMode.Typed, lengthLimits: this.ctx.framerLimits }) : (this.replayFramer ??= new Framer(this, { mode: FramerMode.Typed, lengthLimits: this.ctx.framerLimits }));
    this.activeFramer = replay;
    this.replaying = true;
    try {
      this.feed(replay, frames);
    } finally {
      this.activeFramer = previous;
      this.replaying = nested;
      // Not reused after an error or a halt mid-way: it may hold state of those frames.
      if (replay === this.replayFramer && (replay.framingError !== null || replay.pendingBytes() !== 0 || this.closed)) this.replayFramer = null;
    }
  }

  private logAuthFailure(sqlstate: string, message: string): void {
    this.ctx.logger.warn({ client: this.remote, user: this.user, database: this.database, sqlstate }, message);
  }

  // ---- ForwarderHost -------------------------------------------------------------------------

  pauseClient(reason: PauseReason): void {
    if (this.pauseReasons === 0) this.reader.pause();
    this.pauseReasons |= reason;
  }

  resumeClient(reason: PauseReason): void {
    if ((this.pauseReasons & reason) === 0) return;
    this.pauseReasons &= ~reason;
    if (this.pauseReasons === 0 && this.phase !== SessionPhase.Closed) this.reader.resume();
  }

  terminate(): void {
    this.close();
  }

  fail(fields: { sqlstate: string; message: string }): void {
    if (this.phase === SessionPhase.Closed) return;
    this.sendError({ severity: 'FATAL', sqlstate: fields.sqlstate, message: fields.message });
    this.close();
  }

  idleInTransaction(): void {
    this.idleTxWatchdog?.start();
  }

  idle(): void {
    if (this.closeWhenIdle && this.forwarder !== null && this.forwarder.isIdle) this.shutdownNow();
  }

  cancelOnServer(server: ServerPort): Promise<void> {
    return server.cancel();
  }

  checkoutFailure(err: unknown): CheckoutFailure {
    return this.ctx.checkoutFailure(err);
  }

  warn(msg: string, fields: Record<string, unknown>): void {
    this.ctx.logger.warn({ ...fields, client: this.remote, user: this.user, database: this.database }, msg);
  }

  // ---- CancelTarget --------------------------------------------------------------------------

  cancelRunningQuery(): void {
    if (this.forwarder !== null) this.forwarder.cancelRunningQuery();
  }

  // ---- shutdown and close --------------------------------------------------------------------

  /** Graceful shutdown: idle clients go now, the others when their transaction is over. */
  beginShutdown(): void {
    if (this.phase === SessionPhase.Closed) return;
    if (this.phase !== SessionPhase.Ready || this.forwarder === null) {
      if (this.phase === SessionPhase.Auth) this.fail({ sqlstate: SqlState.CannotConnectNow, message: 'the database system is shutting down' });
      else this.close();
      return;
    }
    this.closeWhenIdle = true;
    if (this.forwarder.isIdle) this.shutdownNow();
  }

  /** Shutdown deadline, or an idle client during shutdown. */
  shutdownNow(): void {
    this.fail({ sqlstate: SqlState.AdminShutdown, message: 'terminating connection due to administrator command' });
  }

  /** Idempotent: releases the server, forgets the cancel key, and closes the socket. */
  close(): void {
    if (this.phase === SessionPhase.Closed) return;
    const wasReady = this.phase === SessionPhase.Ready;
    this.phase = SessionPhase.Closed;
    this.clearLoginTimer();
    this.idleWatchdog?.stop();
    this.idleWatchdog = null;
    this.idleTxWatchdog?.stop();
    this.idleTxWatchdog = null;
    this.auth.close(new Error('client disconnected'));
    if (this.forwarder !== null) this.forwarder.clientClosed();
    if (this.processId !== 0) this.ctx.cancels.unregister(this.processId);
    if (this.admitted) this.ctx.releaseClient();
    this.admitted = false;
    const socket = this.socket;
    this.clientWriter.end();
    // A client that never closes its side must not keep the descriptor.
    setTimeout(() => socket.destroy(), 5000).unref();
    if (wasReady && this.ctx.snapshot.general.log_disconnections) {
      this.ctx.logger.info({ client: this.remote, user: this.user, database: this.database }, 'client disconnected');
    }
    this.onDone(this);
  }

  private sendError(fields: ErrorFields): void {
    this.clientWriter.write(writeErrorResponse(this.w, fields).take());
  }

  private clearLoginTimer(): void {
    if (this.loginTimer !== null) clearTimeout(this.loginTimer);
    this.loginTimer = null;
  }

  private armIdleTimer(): void {
    const txTimeout = this.ctx.snapshot.general.client_idle_in_transaction_timeout;
    if (txTimeout !== undefined && txTimeout > 0) {
      this.idleTxWatchdog = new IdleInTransactionWatchdog(
        txTimeout,
        () => this.forwarder !== null && this.forwarder.idleInTransaction,
        () => this.fail({ sqlstate: SqlState.IdleInTransactionSessionTimeout, message: 'terminating connection due to idle-in-transaction timeout' }),
      );
    }
    const timeout = this.ctx.snapshot.general.client_idle_timeout;
    if (timeout === undefined || timeout <= 0) return;
    this.idleWatchdog = new IdleWatchdog(
      timeout,
      () => this.forwarder !== null && !this.forwarder.isIdle,
      () => this.fail({ sqlstate: SqlState.IdleSessionTimeout, message: 'terminating connection due to idle-session timeout' }),
    );
  }
}
