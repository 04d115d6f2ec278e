// CancelRequest: a fresh connection to the server carrying (process id, secret); PostgreSQL
// signals the backend and closes the connection without an answer.

import { StartupRequestCode } from '../protocol/codes.js';
import { SqlState } from '../protocol/sqlstate.js';
import { MessageWriter } from '../protocol/writer.js';
import { TLS_DISABLED, describeAddress, openServerSocket, type ServerTlsOptions } from './connect-socket.js';
import { ServerError } from './server-error.js';
import { timerDelay } from './timer-delay.js';

const writer = new MessageWriter(64);

export function cancelRequestMessage(processId: number, secretKey: Uint8Array): Buffer {
  writer.beginUntyped().int32(StartupRequestCode.CancelRequest).int32(processId).bytes(secretKey).end();
  return writer.take();
}

/**
 * Sends a CancelRequest and resolves once the server has closed the connection (it has read the
 * request by then). The TLS mode should be the one the cancelled connection used.
 */
export async function sendCancel(host: string, port: number, processId: number, secretKey: Uint8Array, tls: ServerTlsOptions = TLS_DISABLED, timeoutMs = 5000): Promise<void> {
  const address = { host, port };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new ServerError(SqlState.SqlClientUnableToEstablishSqlConnection, `pgdog: cancel request to ${describeAddress(address)} timed out after ${timeoutMs} ms`));
  }, timerDelay(timeoutMs));
  try {
    const socket = await openServerSocket(address, tls, controller.signal);
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        socket.destroy();
        reject(controller.signal.reason);
      };
      controller.signal.addEventListener('abort', onAbort, { once: true });
      // An error after the request was written changes nothing: the server has it or never will.
      socket.on('error', () => {});
      socket.on('close', () => {
        controller.signal.removeEventListener('abort', onAbort);
        resolve();
      });
      socket.resume();
      socket.end(cancelRequestMessage(processId, secretKey));
    });
  } finally {
    clearTimeout(timer);
  }
}
