import { after, before } from 'node:test';
import type { ReplicaOptions } from './server.js';
import { PgServer } from './server.js';
import { startPostgres, type StartOptions } from './start.js';

/** n independent servers, started in parallel. */
export async function startServers(n: number, opts: StartOptions = {}): Promise<PgServer[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => startPostgres(opts)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // Do not leave the ones that did start running until process exit.
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.destroy() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<PgServer>).value);
}

export interface PrimaryWithReplicas {
  readonly primary: PgServer;
  readonly replicas: PgServer[];
}

/** A primary and k streaming replicas (cloned in parallel). */
export async function startPrimaryWithReplicas(
  k: number,
  opts: StartOptions = {},
  replicaOpts: ReplicaOptions = {},
): Promise<PrimaryWithReplicas> {
  const primary = await startPostgres(opts);
  try {
    const replicas = await Promise.all(Array.from({ length: k }, () => primary.startReplica(replicaOpts)));
    return { primary, replicas };
  } catch (err) {
    await Promise.all([...primary.replicas.map((r) => r.destroy()), primary.destroy()]);
    throw err;
  }
}

/**
 * node:test helper: starts a server in `before` and destroys it in `after` of the current
 * suite (or file). Returns an accessor, since the server exists only once `before` ran.
 */
export function usePostgres(opts: StartOptions = {}): () => PgServer {
  let server: PgServer | null = null;
  before(async () => {
    server = await startPostgres(opts);
  });
  after(async () => {
    await server?.destroy();
  });
  return () => {
    if (server === null) throw new Error('usePostgres: the server is started in before(); use it inside tests or hooks');
    return server;
  };
}
