// Bringing a server connection to a client's parameters: one simple Query, sent before the
// client's own frames, whose every answer up to and including its ReadyForQuery is swallowed.

import { BackendCode, FrontendCode } from '../protocol/codes.js';
import { MessageWriter } from '../protocol/writer.js';
import { quoteParameterName } from './quote.js';

/** What one server connection has been set to by pgdog (absent: its own startup default). */
export class ServerParams {
  readonly values: Map<string, string>;

  constructor() {
    this.values = new Map();
  }

  /** After DISCARD ALL / RESET ALL on the server (pool reset). */
  clear(): void {
    this.values.clear();
  }
}

export interface SyncPlan {
  readonly sql: string;
  /** The Query frame to write to the server before the client's bytes. */
  readonly frame: Buffer;
  /** Statements in `sql`: the CommandComplete count to expect (set_config also sends a row). */
  readonly statements: number;
  /** Call once the sync's ReadyForQuery arrived without an error: the server now matches. */
  applied(): void;
}

const writer = new MessageWriter(512);

/** null when the server already matches (the common case: no work, no round trip). */
export function syncPlan(client: ReadonlyMap<string, string>, server: ServerParams): SyncPlan | null {
  let parts: string[] | null = null;
  const values = server.values;
  for (const [name, sql] of client) {
    if (values.get(name) !== sql) (parts ??= []).push(sql);
  }
  // Every client value matched and the sizes agree: the server has nothing else (runs at every
  // checkout, so the second walk is skipped in the common case).
  if (parts === null && values.size === client.size) return null;
  for (const name of values.keys()) {
    if (!client.has(name)) (parts ??= []).push(`RESET ${quoteParameterName(name)}`);
  }
  if (parts === null) return null;
  const sql = parts.join('; ');
  const target = new Map(client);
  const frame = Buffer.from(writer.begin(FrontendCode.Query).cstring(sql).end().take());
  return {
    sql,
    frame,
    statements: parts.length,
    applied: () => {
      server.values.clear();
      for (const [k, v] of target) server.values.set(k, v);
    },
  };
}

export const enum SyncOutcome {
  /** Swallow this frame; the sync is still running. */
  Swallow,
  /** Swallow this ReadyForQuery; the sync is over and succeeded. */
  Done,
  /** Swallow; the sync is over and failed (the server's parameters are unknown: close it). */
  Failed,
}

/** Consumes the sync's answers (CommandComplete, RowDescription/DataRow, ParameterStatus, notices). */
export class SyncResponse {
  private error: boolean;

  constructor() {
    this.error = false;
  }

  onServerFrame(code: number): SyncOutcome {
    if (code === BackendCode.ErrorResponse) this.error = true;
    if (code !== BackendCode.ReadyForQuery) return SyncOutcome.Swallow;
    return this.error ? SyncOutcome.Failed : SyncOutcome.Done;
  }
}
