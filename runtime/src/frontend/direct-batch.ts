// The batch a sharded database sees most — its Executes all on one shard, each binding the statement
// parsed just before it, nothing merged, split or replicated — recognised without planning it.
// Such a batch runs on the single-server path as the client's own frames (sharded-path.ts runDirect),
// so the plan planBatch would build (per-shard frame sequences, units for the merge) is never used;
// building it anyway was most of the sharded extended protocol's cost over an unsharded database.
//
// The answer must be planBatch's: a batch accepted here is one whose plan runDirect would accept
// (direct-batch.test.ts checks both on the same batches), with one addition: a named statement that
// an earlier batch parsed on the single-server path (`known`) is bound there too, where the planner
// would send its text again as an unnamed Parse to run it on the multi-shard path. Anything else, and any doubt,
// returns null and the batch is planned. What this changes in `state` before returning null,
// planBatch does again identically (a Parse's statement, a Bind's portal); a Close, which the
// planner would apply in batch order, is left to the planner untouched.

import { FrontendCode } from '../protocol/codes.js';
import { BindFrame } from '../protocol/frontend/bind.js';
import { DescribeTarget, readDescribe } from '../protocol/frontend/describe-close.js';
import { readExecute } from '../protocol/frontend/execute.js';
import { readParse } from '../protocol/frontend/parse.js';
import { boundShard, type BatchRouting, type BatchState, type ClientStatement, type Portal } from './extended-batch.js';

const PARSE = FrontendCode.Parse;
const BIND = FrontendCode.Bind;
const DESCRIBE = FrontendCode.Describe;
const EXECUTE = FrontendCode.Execute;
const SYNC = FrontendCode.Sync;

export interface DirectBatch {
  readonly shard: number;
  /** A primary must run it (a write, or nothing executed). */
  readonly primary: boolean;
  /** The named statements the batch parses: once it ran on the single-server path, that path knows them. */
  readonly parsed: readonly (readonly [string, ClientStatement])[];
}

/**
 * A named statement parsed in an earlier batch that the single-server path knows as `s` (its Parse
 * ran there, and nothing closed it since): that path prepares it on whichever shard connection it
 * gets, as on an unsharded database.
 */
export type KnownStatement = (name: string, s: ClientStatement) => boolean;

const NOTHING_PARSED: readonly (readonly [string, ClientStatement])[] = [];

/**
 * Where the batch runs as the client sent it, or null: planBatch decides. `noteParse` hears each
 * Parse's text before any later Execute is routed (as collecting the batch frame by frame does).
 */
export function directBatch(frames: readonly Buffer[], state: BatchState, routing: BatchRouting, known: KnownStatement, noteParse?: (sql: string) => boolean): DirectBatch | null {
  // A failed transaction's end runs as ROLLBACK on every shard it enlisted: the planner's case.
  if (routing.failed) return null;
  const n = frames.length;
  if (n === 0 || frames[n - 1]![0] !== SYNC) return null;
  // The statement the server's unnamed slot holds: a Bind of any other would need pgdog's own Parse.
  let slot: ClientStatement | null = null;
  let shard = -1;
  let primary = false;
  let parsed = NOTHING_PARSED as (readonly [string, ClientStatement])[];
  let lastBound: Portal | null = null;
  for (let i = 0; i < n - 1; i++) {
    const f = frames[i]!;
    const code = f[0];
    if (code === PARSE) {
      const again = state.unnamedParse;
      if (again !== null && f[5] === 0 && again.equals(f)) {
        const s = state.unnamedStatement as ClientStatement;
        if (noteParse !== undefined && !state.unnamedQuiet) noteParse(s.sql);
        state.statements.set('', s);
        slot = s;
        continue;
      }
      const p = readParse(f, 0, f.length);
      const moves = noteParse !== undefined ? noteParse(p.query) : true;
      const s: ClientStatement = { sql: p.query, types: p.parameterTypes };
      state.statements.set(p.statement, s);
      slot = s;
      if (p.statement !== '') {
        if (parsed === NOTHING_PARSED) parsed = [];
        parsed.push([p.statement, s]);
      } else {
        state.unnamedParse = Buffer.from(f);
        state.unnamedStatement = s;
        state.unnamedQuiet = !moves;
      }
    } else if (code === BIND) {
      // Values decoded only if something asks for them: routing by the key reads one.
      const b = new BindFrame(f);
      const s = state.statements.get(b.statement);
      if (s === undefined || (s !== slot && !known(b.statement, s))) return null;
      lastBound = { statement: s, bind: b };
      state.portals.set(b.portal, lastBound);
    } else if (code === DESCRIBE) {
      // Describe of the unnamed portal, the usual one, read from its bytes (frames are cut by
      // their length field, so the length is the frame's).
      if (f.length === 7 && f[5] === DescribeTarget.Portal && f[6] === 0) {
        if (!state.portals.has('')) return null;
        continue;
      }
      const d = readDescribe(f, 0, f.length);
      if (d.target === DescribeTarget.Statement) {
        const s = state.statements.get(d.name);
        if (s === undefined || (s !== slot && !known(d.name, s))) return null;
      } else if (!state.portals.has(d.name)) return null;
    } else if (code === EXECUTE) {
      // Execute of the unnamed portal (any row limit), the usual one, read from its bytes.
      const portal = state.portals.get(f.length === 10 && f[5] === 0 ? '' : readExecute(f, 0, f.length).portal);
      if (portal === undefined) return null;
      const r = routing.route(portal.statement.sql, portal.bind);
      if (!r.ok || r.plan !== null || r.texts !== null || r.replicated) return null;
      const shards = r.endsTransaction && routing.enlisted.length > 0 ? routing.enlisted : r.shards;
      if (shards.length !== 1 || (shard !== -1 && shards[0] !== shard)) return null;
      shard = shards[0]!;
      if (r.primary) primary = true;
    } else {
      // Close (the planner applies it in order), Flush, Sync before the end: the planner's.
      return null;
    }
  }
  if (shard === -1) return { shard: boundShard(routing, lastBound) ?? (routing.enlisted.length > 0 ? routing.enlisted[0]! : routing.anyShard), primary: true, parsed };
  return { shard, primary, parsed };
}
