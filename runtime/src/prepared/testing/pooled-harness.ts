// Test support: clients with PreparedStatements sharing PgModel servers, the way the forwarder
// would drive them, next to a private PgModel per client standing for "straight to PostgreSQL".

import { ServerFrameAction } from '../response-plan.js';
import { PreparedStatements } from '../rewriter.js';
import { ServerStatementsRegistry } from '../server-statements.js';
import { StatementCache } from '../statement-cache.js';
import { PgModel, describeAnswers } from './pg-model.js';

export class PooledClient {
  readonly ps: PreparedStatements;
  readonly direct = new PgModel();
  /** Syncs sent whose ReadyForQuery has not been delivered. */
  outstanding = 0;

  constructor(cache: StatementCache) {
    this.ps = new PreparedStatements(cache);
  }
}

export class Harness {
  readonly cache = new StatementCache();
  readonly registry: ServerStatementsRegistry;
  readonly servers: PgModel[];
  /** Bytes written to servers and not yet answered, per server. */
  private readonly inFlight: Map<PgModel, Buffer[]> = new Map();

  constructor(servers: number, limit = 0) {
    this.registry = new ServerStatementsRegistry(limit);
    this.servers = Array.from({ length: servers }, () => new PgModel());
  }

  client(): PooledClient {
    return new PooledClient(this.cache);
  }

  /** Writes a batch through the rewriter; returns what the client got at once (local answers). */
  write(c: PooledClient, server: PgModel, frames: Buffer[]): Buffer[] {
    const toServer: Buffer[] = this.inFlight.get(server) ?? [];
    this.inFlight.set(server, toServer);
    const toClient: Buffer[] = [];
    const stats = this.registry.for(server);
    for (const f of frames) {
      const code = f[0];
      if (c.ps.classify(code, f, 0, f.length)) {
        c.ps.rewrite(code, f, 0, f.length, stats, { write: (b) => toServer.push(Buffer.from(b)) }, { write: (b) => toClient.push(Buffer.from(b)) }, c.outstanding);
      } else {
        toServer.push(f);
      }
      if (code === 0x53) c.outstanding++;
    }
    return toClient;
  }

  /** The server answers everything written to it; returns what the client sees. */
  answer(c: PooledClient, server: PgModel): Buffer[] {
    const bytes = Buffer.concat(this.inFlight.get(server) ?? []);
    this.inFlight.set(server, []);
    const seen: Buffer[] = [];
    for (const f of server.feed(bytes)) {
      if (f[0] === 0x5a) c.outstanding--;
      if (!c.ps.plan.active) {
        seen.push(f);
        continue;
      }
      const action = c.ps.plan.onServerFrame(f[0]);
      if ((action & ServerFrameAction.Swallow) === 0) seen.push(f);
      if ((action & ServerFrameAction.Inject) !== 0) seen.push(...c.ps.plan.takeInjections());
    }
    return seen;
  }

  /** One batch, answered; returns [through pgdog, straight to PostgreSQL] in readable form. */
  run(c: PooledClient, server: PgModel, frames: Buffer[]): [string[], string[]] {
    const local = this.write(c, server, frames);
    const seen = [...local, ...this.answer(c, server)];
    const direct = c.direct.feed(Buffer.concat(frames));
    return [describeAnswers(seen), describeAnswers(direct)];
  }

  /** pgdog's view of a server's statements against the model's. */
  agree(server: PgModel): [string[], string[]] {
    return [this.registry.for(server).names().sort(), [...server.statements.keys()].sort()];
  }
}
