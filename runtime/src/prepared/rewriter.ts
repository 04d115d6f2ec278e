// One client's named statements in transaction mode. Client frames that name a statement are
// rewritten to pgdog's server-side names; a server that lacks a statement gets its Parse in the
// same write; a Parse the server already has is answered locally. The ResponsePlan lines the
// server's answers up with what the client expects.

import { FrontendCode } from '../protocol/codes.js';
import { CLOSE_COMPLETE, PARSE_COMPLETE } from '../protocol/constants.js';
import { readParse } from '../protocol/frontend/parse.js';
import { MalformedMessageError } from '../protocol/malformed-message.js';
import { ClientStatements, statementKeyFromBytes } from './client-statements.js';
import { FAILING_DESCRIBE, closeStatement, renameBindTo, statementExistsError, statementMissingError } from './frames.js';
import { ResponsePlan } from './response-plan.js';
import type { ServerStatements } from './server-statements.js';
import type { GlobalStatement, StatementCache } from './statement-cache.js';

const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const DESCRIBE = FrontendCode.Describe;
const CLOSE = FrontendCode.Close;
const EXECUTE = FrontendCode.Execute;
const SYNC = FrontendCode.Sync;
const QUERY = FrontendCode.Query;
const FUNCTION_CALL = FrontendCode.FunctionCall;
const STATEMENT = 0x53; // 'S' target of Describe / Close

/** Where rewritten bytes go (a SocketWriter, or a list in tests). */
export interface ByteSink {
  write(bytes: Uint8Array): unknown;
}

export class PreparedStatements {
  readonly client: ClientStatements;
  readonly plan: ResponsePlan;
  private readonly cache: StatementCache;
  /** Answer-producing frames forwarded unplanned since the last Sync/Query (while the plan was idle). */
  private rawAnswers: number;
  /** Numbers the Sync-delimited segments, so eviction spares what the current one uses. */
  private segment: number;

  constructor(cache: StatementCache, client: ClientStatements = new ClientStatements()) {
    this.cache = cache;
    this.client = client;
    this.plan = new ResponsePlan();
    this.rawAnswers = 0;
    this.segment = 0;
  }

  /**
   * Every client frame, before it is forwarded. True: the frame names a statement; the forwarder
   * must take it out of the run (consume) and call rewrite(). False: forward it as it is. Costs a
   * byte look for P/B/D/C and a counter for the rest.
   */
  classify(code: number, buf: Buffer, start: number, end: number): boolean {
    switch (code) {
      case PARSE:
        if (end > start + 5 && buf[start + 5] !== 0) return true;
        break;
      case BIND: {
        const portalEnd = buf.indexOf(0, start + 5);
        if (portalEnd >= 0 && portalEnd + 1 < end && buf[portalEnd + 1] !== 0) return true;
        break;
      }
      case DESCRIBE:
      case CLOSE:
        if (end > start + 6 && buf[start + 5] === STATEMENT && buf[start + 6] !== 0) return true;
        break;
      case EXECUTE:
        break;
      case SYNC:
      case QUERY:
      case FUNCTION_CALL:
        this.segmentEnd();
        return false;
      default:
        // Flush, CopyData/CopyDone/CopyFail: no answer of their own.
        return false;
    }
    if (this.plan.active) this.plan.pass(1);
    else this.rawAnswers++;
    return false;
  }

  /**
   * A frame classify() claimed, for the attached server. `pendingReady`: ReadyForQuery the
   * forwarder still awaits (TransactionTracker.outstanding). Server-bound bytes go to `toServer`;
   * answers pgdog gives itself that are due now go to `toClient`.
   */
  rewrite(code: number, buf: Buffer, start: number, end: number, server: ServerStatements, toServer: ByteSink, toClient: ByteSink, pendingReady: number): void {
    const plan = this.plan;
    if (!plan.active) {
      // Answers already on their way belong before anything planned now.
      plan.ready(pendingReady);
      plan.pass(this.rawAnswers);
      this.rawAnswers = 0;
    }
    if (code === PARSE) this.parse(buf, start, end, server, toServer);
    else if (code === BIND) this.bind(buf, start, end, server, toServer);
    else if (code === DESCRIBE) this.describe(buf, start, end, server, toServer);
    else if (code === CLOSE) this.close(buf, start, end);
    else throw new Error(`PreparedStatements.rewrite: unexpected frame ${code}`);
    if (plan.settleHead()) for (const f of plan.takeInjections()) toClient.write(f);
  }

  /** Server frames while plan.active; see ResponsePlan.onServerFrame. */
  segmentEnd(): void {
    if (this.plan.active) this.plan.ready(1);
    this.rawAnswers = 0;
    this.segment++;
  }

  // ---- per message -----------------------------------------------------------------------------

  private parse(buf: Buffer, start: number, end: number, server: ServerStatements, out: ByteSink): void {
    const nameEnd = nulAfter(buf, start + 5, end);
    const key = statementKeyFromBytes(buf, start + 5, nameEnd);
    const msg = readParse(buf, start, end);
    if (this.client.get(key) !== undefined) {
      this.failHere(out, statementExistsError(msg.statement));
      return;
    }
    const statement = this.cache.intern(msg.query, msg.parameterTypes);
    const client = this.client;
    client.set(key, statement);
    const forget = (): void => {
      if (client.get(key) === statement) client.delete(key);
    };
    if (server.has(statement)) {
      server.touch(statement, this.segment);
      this.plan.local(PARSE_COMPLETE, forget, null);
      return;
    }
    this.prepareOn(server, statement, out);
    this.plan.clientParse(() => {
      server.remove(statement);
      forget();
    });
    out.write(statement.parseFrame);
  }

  private bind(buf: Buffer, start: number, end: number, server: ServerStatements, out: ByteSink): void {
    const portalEnd = nulAfter(buf, start + 5, end);
    const nameStart = portalEnd + 1;
    const nameEnd = nulAfter(buf, nameStart, end);
    const statement = this.client.get(statementKeyFromBytes(buf, nameStart, nameEnd));
    if (statement === undefined) {
      this.failHere(out, statementMissingError(buf.toString('utf8', nameStart, nameEnd)));
      return;
    }
    this.ensureOn(server, statement, out);
    out.write(renameBindTo(buf, start, end, nameStart, nameEnd, statement.nameBytes));
    this.plan.pass(1);
  }

  private describe(buf: Buffer, start: number, end: number, server: ServerStatements, out: ByteSink): void {
    const nameEnd = nulAfter(buf, start + 6, end);
    if (nameEnd !== end - 1) throw new MalformedMessageError('invalid message format');
    const statement = this.client.get(statementKeyFromBytes(buf, start + 6, nameEnd));
    if (statement === undefined) {
      this.failHere(out, statementMissingError(buf.toString('utf8', start + 6, nameEnd)));
      return;
    }
    this.ensureOn(server, statement, out);
    out.write(statement.describeFrame);
    this.plan.pass(1);
  }

  /** The global statement stays for other clients (and this server); only the name goes. */
  private close(buf: Buffer, start: number, end: number): void {
    const nameEnd = nulAfter(buf, start + 6, end);
    if (nameEnd !== end - 1) throw new MalformedMessageError('invalid message format');
    const key = statementKeyFromBytes(buf, start + 6, nameEnd);
    const statement = this.client.get(key);
    const client = this.client;
    if (statement !== undefined) client.delete(key);
    // Closing a name that does not exist is not an error in PostgreSQL either.
    const restore = statement === undefined ? null : (): void => {
      if (client.get(key) === undefined) client.set(key, statement);
    };
    this.plan.local(CLOSE_COMPLETE, restore, null);
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private ensureOn(server: ServerStatements, statement: GlobalStatement, out: ByteSink): void {
    if (server.has(statement)) {
      server.touch(statement, this.segment);
      return;
    }
    this.prepareOn(server, statement, out);
    this.plan.addedParse(() => server.remove(statement));
    out.write(statement.parseFrame);
  }

  /** Records the statement on the server; evictions it causes are closed first, in the same write. */
  private prepareOn(server: ServerStatements, statement: GlobalStatement, out: ByteSink): void {
    const evicted = server.add(statement, this.segment);
    for (const old of evicted) {
      out.write(closeStatement(old.name));
      this.plan.addedClose(() => server.restore(old));
    }
  }

  private failHere(out: ByteSink, error: Buffer): void {
    out.write(FAILING_DESCRIBE);
    this.plan.fail(error);
  }
}

function nulAfter(buf: Buffer, from: number, end: number): number {
  const at = buf.indexOf(0, from);
  if (at < 0 || at >= end) throw new MalformedMessageError('invalid string in message');
  return at;
}
