// Which hosts of a shard may serve a statement, from its role and read_write_split. Pure: the
// caller passes each host's role and whether it is banned right now.

export type HostRole = 'primary' | 'replica';
export type ReadWriteSplit = 'include_primary' | 'exclude_primary' | 'include_primary_if_replica_banned' | 'prefer_primary';

export interface HostSlot {
  readonly role: HostRole;
  /** Banned, or past its ban but not yet through the check that readmits it. */
  readonly banned: boolean;
}

export type CandidateChoice =
  | {
      readonly ok: true;
      /** Host indexes that may serve, in group order. */
      readonly hosts: number[];
      /** Banned hosts to readmit because every candidate was banned (never leave a role with none). */
      readonly lift: number[];
    }
  | { readonly ok: false; readonly message: string };

/**
 * Writes (role primary) go to the primary whatever its ban says: there is no other place for them,
 * and its connect error is the useful answer. Reads go to the replicas, and to the primary as the
 * split mode allows; banned hosts are left out unless every candidate is banned, in which case the
 * bans are lifted rather than refusing the read.
 */
export function candidatesFor(role: HostRole, split: ReadWriteSplit, hosts: readonly HostSlot[]): CandidateChoice {
  const primary = hosts.findIndex((h) => h.role === 'primary');
  const replicas: number[] = [];
  hosts.forEach((h, i) => {
    if (h.role === 'replica') replicas.push(i);
  });
  if (role === 'primary' || replicas.length === 0) {
    if (primary < 0) return { ok: false, message: role === 'primary' ? 'the shard has no primary to run writes on' : 'the shard has no hosts' };
    return { ok: true, hosts: [primary], lift: [] };
  }
  const up = (list: number[]): number[] => list.filter((i) => !hosts[i].banned);
  switch (split) {
    case 'exclude_primary':
      return withLift(replicas, up(replicas));
    case 'include_primary_if_replica_banned': {
      const live = up(replicas);
      if (live.length > 0) return { ok: true, hosts: live, lift: [] };
      if (primary >= 0) return { ok: true, hosts: [primary], lift: [] };
      return withLift(replicas, live);
    }
    case 'include_primary':
    case 'prefer_primary':
    default: {
      const all = primary >= 0 ? [...replicas, primary].sort((a, b) => a - b) : replicas;
      return withLift(all, up(all));
    }
  }
}

function withLift(all: number[], live: number[]): CandidateChoice {
  if (live.length > 0) return { ok: true, hosts: live, lift: [] };
  return { ok: true, hosts: all, lift: all };
}
