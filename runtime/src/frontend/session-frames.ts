import { FrontendCode, BackendCode } from '../protocol/codes.js';
import { SqlState } from '../protocol/sqlstate.js';
import type { SocketWriter } from '../net/socket-writer.js';
import type { LeasePort, ServerPort } from './server-port.js';
import { queryMessage } from '../backend/internal-query.js';
import type { PreparedStatements } from '../prepared/index.js';
import { SyncOutcome, SyncResponse, type SyncPlan } from '../params/index.js';
import type { SessionTracking } from './session-tracking.js';
import { ForwarderState } from './forwarder-state.js';

const QUERY = FrontendCode.Query;
const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const SYNC = FrontendCode.Sync;
const EXECUTE = FrontendCode.Execute;
const FUNCTION_CALL = FrontendCode.FunctionCall;
const ERROR_RESPONSE = BackendCode.ErrorResponse;

/** Session tracking on the forwarding path (transaction / statement mode): named statements and parameters. */
export abstract class SessionFrames extends ForwarderState {
  /** Notes the frame's session effects; true when it was dealt with here (answered or replaced). */
  protected trackClientFrame(st: SessionTracking, code: number, buf: Buffer, start: number, end: number): boolean {
    const t = this.tracker;
    switch (code) {
      case QUERY: {
        const d = st.query(buf, start, end, t.outstanding, t.status);
        st.endQuery();
        if (d.kind === 'answer') {
          this.host.framer.consume();
          this.replies.send(this.host.clientWriter, d.frames, t.outstanding > 0);
          return true;
        }
        if (d.kind === 'replace') {
          this.host.framer.consume();
          const frame = queryMessage(d.sql);
          if (st.ps !== null) {
            if (this.serverWriter !== null) st.ps.classify(QUERY, frame, 0, frame.length);
            else this.unclassified = true;
          }
          this.count(QUERY);
          this.onClientRun(frame, 0, frame.length);
          return true;
        }
        break;
      }
      case PARSE:
        st.parse(buf, start, end);
        break;
      case BIND:
        st.bind(buf, start, end);
        break;
      case EXECUTE:
        st.execute(t.outstanding, t.status);
        break;
      case SYNC:
        st.sync(t.outstanding, t.status);
        break;
    }
    const ps = st.ps;
    if (ps === null) return false;
    const writer = this.serverWriter;
    if (writer === null) {
      this.unclassified = true;
      return false;
    }
    if (!ps.classify(code, buf, start, end)) return false;
    this.host.framer.consume();
    ps.rewrite(code, buf, start, end, st.ctx.registry.for(this.server as ServerPort), writer, this.host.clientWriter, t.outstanding);
    this.count(code);
    return true;
  }

  /**
   * Writes frames that were dispatched with no server attached (the tracker has counted them),
   * classifying each now that the server is known: named-statement frames are rewritten for it.
   * `later`: requests (Query / Sync) in frames still to be written after these.
   */
  protected writeClassified(writer: SocketWriter, buf: Buffer, start: number, end: number, later: number): void {
    const st = this.st as SessionTracking;
    const ps = st.ps as PreparedStatements;
    const out = this.host.clientWriter;
    let from = start;
    for (let p = start; p < end; ) {
      const code = buf[p];
      const frameEnd = p + 1 + buf.readInt32BE(p + 1);
      if (ps.classify(code, buf, p, frameEnd)) {
        if (p > from) writer.write(buf.subarray(from, p));
        // ReadyForQuery awaited ahead of this frame's: those of requests before it.
        const before = this.tracker.outstanding - later - countRequests(buf, p, end);
        ps.rewrite(code, buf, p, frameEnd, st.ctx.registry.for(this.server as ServerPort), writer, out, before > 0 ? before : 0);
        from = frameEnd;
      }
      p = frameEnd;
    }
    if (from < end) writer.write(from === start && start === 0 && end === buf.length ? buf : buf.subarray(from, end));
  }

  /** Answers to the parameter sync: swallowed; its end hands the server to the client's frames. */
  protected syncAnswer(code: number, buf: Buffer, start: number, end: number): void {
    const server = this.server as ServerPort;
    server.consumeCurrentFrame();
    if (code === ERROR_RESPONSE && this.syncError === null) this.syncError = Buffer.from(buf.subarray(start, end));
    const outcome = (this.syncing as SyncResponse).onServerFrame(code);
    if (outcome === SyncOutcome.Swallow) return;
    const plan = this.syncingPlan as SyncPlan;
    const error = this.syncError;
    this.syncing = null;
    this.syncingPlan = null;
    this.syncError = null;
    if (outcome === SyncOutcome.Done) {
      plan.applied();
      return;
    }
    // The client's parameters cannot be set (a startup value the server refuses): its requests
    // fail with the server's error, and the connection, in an unknown state, is closed.
    const lease = this.lease as LeasePort;
    this.lease = null;
    this.server = null;
    this.target = null;
    this.releaseAfterRun = false;
    this.detachServerWriter(false);
    this.host.clientWriter.setPeer(null);
    lease.release('broken');
    if (!this.closed) this.answerLocally(error ?? this.replies.error({ severity: 'ERROR', sqlstate: SqlState.ConnectionFailure, message: 'pgdog: could not set the session parameters' }));
  }

}

/** Query, Sync and FunctionCall frames in a run of complete frames: each gets one ReadyForQuery. */
export function countRequests(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let p = start; p < end; p += 1 + buf.readInt32BE(p + 1)) {
    const code = buf[p];
    if (code === QUERY || code === SYNC || code === FUNCTION_CALL) n++;
  }
  return n;
}
