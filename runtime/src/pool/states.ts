// A pooled server's state, and the decisions made when it comes back from a client. Pure: the
// pool applies the result (PgBouncer's change_server_state, postgres.js's move()).

import { TransactionStatus } from '../protocol/backend/ready-for-query.js';

/** Each state is a list the pool keeps; a server is on exactly one. */
export type ServerState = 'connecting' | 'idle' | 'active' | 'resetting' | 'closed';

export type ServerEvent =
  /** Login finished. */
  | 'connected'
  /** Handed to a client. */
  | 'checkout'
  /** Back from a client (or from a reset) in a reusable state. */
  | 'checkin'
  /** Needs ROLLBACK and/or DISCARD ALL before anyone else may use it. */
  | 'reset'
  /** Closed for any reason: connect failure, broken, expired, idle too long, shutdown. */
  | 'close';

/**
 * The one transition function; null when the event is not allowed in that state.
 *   connecting: connected -> idle, close -> closed
 *   idle:       checkout -> active, close -> closed
 *   active:     checkin -> idle, reset -> resetting, close -> closed
 *   resetting:  checkin -> idle, close -> closed
 *   closed:     nothing
 * A switch rather than a table of records: it runs twice per transaction, and a record lookup
 * by string key is a megamorphic load in V8.
 */
export function nextServerState(state: ServerState, event: ServerEvent): ServerState | null {
  if (event === 'close') return state === 'closed' ? null : 'closed';
  switch (state) {
    case 'connecting':
      return event === 'connected' ? 'idle' : null;
    case 'idle':
      return event === 'checkout' ? 'active' : null;
    case 'active':
      return event === 'checkin' ? 'idle' : event === 'reset' ? 'resetting' : null;
    case 'resetting':
      return event === 'checkin' ? 'idle' : null;
    default:
      return null;
  }
}

/**
 * How the client leaves the server. clean: at a ReadyForQuery boundary, status idle. dirty: at a
 * ReadyForQuery boundary inside a transaction (status T or E) — the pool rolls it back. broken:
 * anything else (mid-query, mid-COPY, protocol fault): the server is closed.
 */
export type ReleaseOutcome = 'clean' | 'dirty' | 'broken';

export interface CheckinInput {
  readonly outcome: ReleaseOutcome;
  /** Status byte of the server's last ReadyForQuery. */
  readonly txStatus: number;
  /** Session mode: DISCARD ALL before reuse. */
  readonly resetRequested: boolean;
  /** server_lifetime reached. */
  readonly expired: boolean;
  /** The pool is draining or closed. */
  readonly draining: boolean;
  readonly connectionClosed: boolean;
}

export type CheckinPlan =
  | { readonly action: 'idle' }
  | { readonly action: 'reset'; readonly rollback: boolean; readonly discard: boolean }
  | { readonly action: 'close'; readonly reason: string };

const IDLE: CheckinPlan = Object.freeze({ action: 'idle' });

export function planCheckin(input: CheckinInput): CheckinPlan {
  if (input.connectionClosed) return { action: 'close', reason: 'server connection already closed' };
  if (input.outcome === 'broken') return { action: 'close', reason: 'released as broken' };
  if (input.draining) return { action: 'close', reason: 'pool is shutting down' };
  // No point cleaning a server that is about to be closed anyway.
  if (input.expired) return { action: 'close', reason: 'server_lifetime reached' };
  const rollback = input.outcome === 'dirty' || input.txStatus !== TransactionStatus.Idle;
  if (rollback || input.resetRequested) return { action: 'reset', rollback, discard: input.resetRequested };
  return IDLE;
}
