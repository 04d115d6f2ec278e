// What statements do to the routing-relevant state of a session: BEGIN / COMMIT, SET pgdog.*
// (session-wide or LOCAL to the transaction), SET application_name. route() folds it over the
// statements of one query; `pgdog route -f` folds it over a whole script, so a file reading
// `BEGIN; SET LOCAL pgdog.shard TO 1; SELECT ...; COMMIT;` routes the way a session would.

import type { StatementAnalysis } from '../sql/types.js';
import type { RouteRole, RouteSession, RoutingHints } from './route-types.js';

export interface SessionState {
  inTransaction: boolean;
  transactionReadOnly: boolean;
  /** SET pgdog.* outside LOCAL: last until RESET or the end of the session. */
  hints: RoutingHints;
  /** SET LOCAL pgdog.*: last until the transaction ends. */
  localHints: RoutingHints;
  applicationName: string;
}

const EMPTY: RoutingHints = Object.freeze({ shard: null, shardingKey: null, role: null });

export function initialSessionState(session?: RouteSession): SessionState {
  return {
    inTransaction: session?.inTransaction ?? false,
    transactionReadOnly: session?.transactionReadOnly ?? false,
    hints: session?.hints ?? EMPTY,
    localHints: EMPTY,
    applicationName: session?.applicationName ?? '',
  };
}

/** LOCAL hints over session ones. */
export function effectiveHints(s: SessionState): RoutingHints {
  const l = s.localHints;
  if (l.shard === null && l.shardingKey === null && l.role === null) return s.hints;
  return { shard: l.shard ?? s.hints.shard, shardingKey: l.shardingKey ?? s.hints.shardingKey, role: l.role ?? s.hints.role };
}

export function toRouteSession(s: SessionState): RouteSession {
  return { inTransaction: s.inTransaction, transactionReadOnly: s.transactionReadOnly, hints: effectiveHints(s), applicationName: s.applicationName };
}

export type HintValue = { ok: true; hints: RoutingHints } | { ok: false; message: string };

/** The hints after `SET pgdog.<name>` to `value` (null: RESET / DEFAULT). */
export function setHint(hints: RoutingHints, name: 'shard' | 'sharding_key' | 'role', value: string | null): HintValue {
  switch (name) {
    case 'shard': {
      if (value === null) return { ok: true, hints: { ...hints, shard: null } };
      if (!/^\s*\d{1,9}\s*$/.test(value)) return { ok: false, message: `invalid value for pgdog.shard: "${value}" (a shard number is expected)` };
      return { ok: true, hints: { ...hints, shard: Number(value) } };
    }
    case 'sharding_key':
      return { ok: true, hints: { ...hints, shardingKey: value } };
    case 'role': {
      if (value === null) return { ok: true, hints: { ...hints, role: null } };
      const role = value.toLowerCase();
      if (role !== 'primary' && role !== 'replica') return { ok: false, message: `invalid value for pgdog.role: "${value}" (primary or replica)` };
      return { ok: true, hints: { ...hints, role: role as RouteRole } };
    }
  }
}

export interface StepResult {
  state: SessionState;
  /** A SET pgdog.* with a value that cannot be used. */
  error: string | null;
}

/** The session after one statement has run (pure: `s` is not changed). */
export function stepSession(s: SessionState, stmt: StatementAnalysis): StepResult {
  const t = stmt.transaction;
  if (t !== null) {
    switch (t.action) {
      case 'begin':
        return ok({ ...s, inTransaction: true, transactionReadOnly: t.modes.readOnly === true, localHints: EMPTY });
      case 'commit':
      case 'rollback':
      case 'prepare':
        // COMMIT AND CHAIN starts the next transaction with the same modes.
        return ok(t.chain ? { ...s, localHints: EMPTY } : { ...s, inTransaction: false, transactionReadOnly: false, localHints: EMPTY });
      default:
        return ok(s);
    }
  }
  const set = stmt.set;
  if (set === null) return ok(s);
  if (set.action === 'transaction' && s.inTransaction && set.modes?.readOnly != null) {
    return ok({ ...s, transactionReadOnly: set.modes.readOnly });
  }
  if (set.action === 'reset_all') return ok({ ...s, hints: EMPTY, localHints: EMPTY, applicationName: '' });
  const value = set.action === 'set' ? (set.values[0]?.text ?? null) : null;
  if (set.name === 'application_name' && (set.action === 'set' || set.action === 'reset' || set.action === 'default')) {
    return ok({ ...s, applicationName: value ?? '' });
  }
  if (set.hint === null || (set.action !== 'set' && set.action !== 'reset' && set.action !== 'default')) return ok(s);
  // SET LOCAL outside a transaction has no effect (PostgreSQL warns and ignores it).
  if (set.local && !s.inTransaction) return ok(s);
  const next = setHint(set.local ? s.localHints : s.hints, set.hint, value);
  if (!next.ok) return { state: s, error: next.message };
  return ok(set.local ? { ...s, localHints: next.hints } : { ...s, hints: next.hints });
}

function ok(state: SessionState): StepResult {
  return { state, error: null };
}

/** The session after every statement of a query (parse errors change nothing). */
export function advanceSession(s: SessionState, statements: readonly StatementAnalysis[]): SessionState {
  let state = s;
  for (let i = 0; i < statements.length; i++) {
    const stmt = statements[i];
    // Most statements neither control the transaction nor SET anything: they leave it as it is.
    if (stmt.transaction !== null || stmt.set !== null) state = stepSession(state, stmt).state;
  }
  return state;
}
