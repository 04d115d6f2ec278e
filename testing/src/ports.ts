import net, { createServer } from 'node:net';

/**
 * Asks the kernel for a free loopback port. The port is released before PostgreSQL binds
 * it, so a concurrent process can steal it: callers retry on "could not bind".
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolvePort(port) : reject(new Error('could not obtain a free port'))));
    });
  });
}

/** True when a failed server start was caused by the port being taken. */
export function isBindFailure(log: string): boolean {
  return /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(log);
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
