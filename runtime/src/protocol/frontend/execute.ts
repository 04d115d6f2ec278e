import { Reader } from '../reader.js';

// Execute 'E': portal name and a row limit.

const reader = new Reader();

export interface ExecuteMessage {
  /** '' is the unnamed portal. */
  readonly portal: string;
  /** 0 means no limit; a positive limit may end in PortalSuspended. */
  readonly maxRows: number;
}

export function readExecute(buf: Buffer, start: number, end: number): ExecuteMessage {
  reader.setBuffer(buf, start + 5, end);
  const portal = reader.cstring();
  const maxRows = reader.int32();
  reader.expectEnd();
  return { portal, maxRows };
}
