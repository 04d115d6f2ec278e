// Which host serves the next read: the order in which a role's candidate hosts are tried. Pure:
// the state a strategy keeps between picks (a round-robin counter, smooth-WRR weights) is passed
// in and the next state handed back; randomness comes from the caller.

export type LbStrategy = 'random' | 'round_robin' | 'least_active_connections' | 'weighted_round_robin';

export interface LbCandidate {
  /** The host's index in its shard group (stable for the life of the group). */
  readonly host: number;
  /** Connections of this host currently handed to clients. */
  readonly active: number;
  /** lb_weight, 0..255. */
  readonly weight: number;
}

export interface LbState {
  /** round_robin: picks made so far. */
  readonly counter: number;
  /** weighted_round_robin: each host's current weight, by host index. */
  readonly current: readonly number[];
}

export const INITIAL_LB_STATE: LbState = Object.freeze({ counter: 0, current: Object.freeze([]) as readonly number[] });

export interface LbPick {
  /** Host indexes, first choice first; every candidate appears once. */
  readonly order: number[];
  readonly state: LbState;
}

/**
 * The candidates in the order to try them. The first is the strategy's choice; the rest are the
 * fallbacks when it cannot give a connection, in an order that keeps the spread the strategy wants.
 */
export function orderCandidates(strategy: LbStrategy, candidates: readonly LbCandidate[], state: LbState, random: () => number): LbPick {
  const n = candidates.length;
  if (n <= 1) return { order: n === 1 ? [candidates[0].host] : [], state };
  switch (strategy) {
    case 'round_robin':
      return { order: rotate(candidates, state.counter % n), state: { counter: state.counter + 1, current: state.current } };
    case 'least_active_connections':
      // Ties are broken by rotation, so equally idle hosts still share the load.
      return { order: byActive(rotate(candidates, state.counter % n), candidates), state: { counter: state.counter + 1, current: state.current } };
    case 'weighted_round_robin':
      return smoothWeighted(candidates, state);
    case 'random':
    default:
      return { order: shuffled(candidates, random), state };
  }
}

function rotate(candidates: readonly LbCandidate[], by: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < candidates.length; i++) out.push(candidates[(i + by) % candidates.length].host);
  return out;
}

function byActive(order: number[], candidates: readonly LbCandidate[]): number[] {
  const active = new Map(candidates.map((c) => [c.host, c.active]));
  // Array.prototype.sort is stable, so the rotation decides among equals.
  return order.sort((a, b) => (active.get(a) as number) - (active.get(b) as number));
}

function shuffled(candidates: readonly LbCandidate[], random: () => number): number[] {
  const out = candidates.map((c) => c.host);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * Smooth weighted round robin (nginx's): every candidate's current weight grows by its weight, the
 * largest is chosen and pays back the total. Over W picks each host is chosen `weight` times, and
 * heavy hosts are interleaved rather than bunched. Weight 0 hosts are only fallbacks.
 */
function smoothWeighted(candidates: readonly LbCandidate[], state: LbState): LbPick {
  const current = state.current.slice();
  let total = 0;
  let best = -1;
  for (const c of candidates) {
    if (c.weight <= 0) continue;
    const w = (current[c.host] ?? 0) + c.weight;
    current[c.host] = w;
    total += c.weight;
    if (best < 0 || w > (current[best] as number)) best = c.host;
  }
  for (let i = 0; i < current.length; i++) if (current[i] === undefined) current[i] = 0;
  if (best < 0) return { order: candidates.map((c) => c.host), state: { counter: state.counter, current } };
  current[best] = (current[best] as number) - total;
  // Fallbacks: heaviest first, zero weights last.
  const rest = candidates.filter((c) => c.host !== best).sort((a, b) => b.weight - a.weight).map((c) => c.host);
  return { order: [best, ...rest], state: { counter: state.counter, current } };
}
