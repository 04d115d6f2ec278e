import type { PlanCache } from '@pgdog/compiler';
import type { Framer } from '../protocol/framer.js';
import type { Pausable, SocketWriter } from '../net/socket-writer.js';
import type { CheckoutFailure, ServerPort } from './server-port.js';

export const enum PoolMode {
  Transaction = 0,
  Session = 1,
  Statement = 2,
}

export function poolMode(name: string): PoolMode {
  return name === 'session' ? PoolMode.Session : name === 'statement' ? PoolMode.Statement : PoolMode.Transaction;
}

/** Why the client socket is paused; it reads again only when no reason is left. */
export const enum PauseReason {
  Checkout = 1,
  ServerFull = 2,
  Login = 4,
  /** Routed mode: frames are held until the attached server is released. */
  Routing = 8,
}

/** What the forwarder asks of its session. */
export interface ForwarderHost {
  /** The framer being dispatched (for consume()). */
  readonly framer: Framer;
  readonly clientWriter: SocketWriter;
  /** Pauses/resumes client reads for PauseReason.ServerFull: the server writer's peer. */
  readonly clientReads: Pausable;
  pauseClient(reason: PauseReason): void;
  resumeClient(reason: PauseReason): void;
  /** Feeds complete client frames through the forwarder again, as if just received. */
  replay(frames: Buffer): void;
  /** The client sent Terminate. */
  terminate(): void;
  /** Send FATAL and close the client. */
  fail(fields: { sqlstate: string; message: string }): void;
  /** No server held and no transaction open (graceful shutdown waits for this). */
  idle(): void;
  /** A ReadyForQuery left the client inside a transaction block, waiting for its next request. */
  idleInTransaction(): void;
  /** Sends a CancelRequest for the query running on `server`; resolves once it was delivered. */
  cancelOnServer(server: ServerPort): Promise<void>;
  checkoutFailure(err: unknown): CheckoutFailure;
  warn(msg: string, fields: Record<string, unknown>): void;
}

export interface ForwarderOptions {
  readonly mode: PoolMode;
  readonly checkoutTimeoutMs: number;
  readonly queryTimeoutMs: number | null;
  /** Q/P frames larger than this (whole frame) are logged; Infinity for none. */
  readonly querySizeWarn: number;
  /** cross_shard_result_limit: bytes of shard answers held for one multi-shard statement; 0: no limit. */
  readonly crossShardResultLimit: number;
  /** SQL analysis for statement mode's transaction-block check (the parser is loaded when any pool uses statement mode). */
  readonly sqlPlans: PlanCache;
}
