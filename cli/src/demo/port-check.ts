import net from 'node:net';

/**
 * True when nothing listens on host:port (we could bind it). Checked before the PostgreSQL
 * servers start, so that a busy port fails in milliseconds rather than after seconds of set-up.
 */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** EADDRINUSE / EACCES from listen(), which the demo reports as a busy port. */
export function isListenError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}
