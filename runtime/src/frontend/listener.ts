import { createServer, type Server, type Socket } from 'node:net';
import type { FrontendContext } from './frontend-context.js';
import { Session } from './session.js';

/**
 * The client-facing TCP listener: every accepted socket becomes a Session. It keeps the set of
 * live sessions so that shutdown can reach them; the client limit itself is checked at the
 * StartupMessage (so CancelRequests still get through when the proxy is full, as in PostgreSQL).
 */
export class ClientListener {
  private readonly server: Server;
  private readonly ctx: FrontendContext;
  readonly sessions: Set<Session>;
  private accepting: boolean;
  private readonly onSessionDone: (s: Session) => void;
  private readonly onDrained: (() => void)[];

  constructor(ctx: FrontendContext) {
    this.ctx = ctx;
    this.sessions = new Set();
    this.accepting = false;
    this.onDrained = [];
    this.onSessionDone = (s) => {
      this.sessions.delete(s);
      if (this.sessions.size === 0) for (const f of this.onDrained.splice(0)) f();
    };
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => ctx.logger.error({ err }, 'listener error'));
  }

  /** Binds and starts accepting; resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.removeListener('error', onError);
        this.accepting = true;
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /**
   * Stops accepting; established sessions are not touched. The port is released at once (the
   * close callback would wait for every connection, which is drained()'s job).
   */
  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    this.server.close();
  }

  /** Resolves once every session has closed. */
  drained(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.onDrained.push(resolve));
  }

  private accept(socket: Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    const session = new Session(socket, this.ctx, this.onSessionDone);
    this.sessions.add(session);
  }
}
