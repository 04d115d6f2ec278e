// Waits until something accepts TCP connections on a loopback port.

import { canConnect } from '@pgdog/testing';

/**
 * @param {number} port
 * @param {{ timeoutMs?: number, alive?: () => boolean }} [opts] alive: stop early when the process died
 * @returns {Promise<void>}
 */
export async function waitForPort(port, opts = {}) {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    if (await canConnect(port)) return;
    if (opts.alive && !opts.alive()) throw new Error(`the process meant to listen on port ${port} exited`);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${opts.timeoutMs ?? 15_000} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

