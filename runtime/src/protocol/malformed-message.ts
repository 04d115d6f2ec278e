import { SqlState } from './sqlstate.js';

/**
 * Thrown by the on-demand decoders when a frame's body does not match its message type (a field
 * runs past the end, a string lacks its terminator, bytes are left over). Framing itself never
 * throws; see `FramingError` in framer.ts. The texts are PostgreSQL's own, and the SQLSTATE is
 * 08P01 as PostgreSQL reports for the same faults. The session decides the severity: a proxy
 * cannot resynchronise with a client that sends malformed bodies, so FATAL is the usual choice.
 */
export class MalformedMessageError extends Error {
  readonly sqlstate: string;

  constructor(message: string, sqlstate: string = SqlState.ProtocolViolation) {
    super(message);
    this.name = 'MalformedMessageError';
    this.sqlstate = sqlstate;
  }
}
