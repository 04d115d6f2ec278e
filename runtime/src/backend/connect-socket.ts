// Opening a socket to PostgreSQL: TCP connect, then the SSLRequest negotiation and TLS upgrade
// the configured mode asks for. Shared by server connections and cancel requests.

import net from 'node:net';
import tls from 'node:tls';
import { SocketReader } from '../net/socket-reader.js';
import { directIoAvailable } from '../net/stream-handle.js';
import { SSL_REQUEST } from '../protocol/constants.js';
import { SqlState } from '../protocol/sqlstate.js';
import { ServerError } from './server-error.js';

/**
 * disabled: never TLS (no SSLRequest). prefer: TLS when the server agrees, certificate unchecked.
 * require: TLS or fail, certificate unchecked. verify_ca: TLS, chain checked against `ca` (else
 * the system CAs). verify_full: as verify_ca plus the host name (or IP) against the certificate.
 */
export type ServerTlsMode = 'disabled' | 'prefer' | 'require' | 'verify_ca' | 'verify_full';

export interface ServerTlsOptions {
  readonly mode: ServerTlsMode;
  /** PEM CA bundle for verify_ca / verify_full. */
  readonly ca?: string | Buffer;
  /** PEM client certificate and key, for servers that ask for one. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

export const TLS_DISABLED: ServerTlsOptions = Object.freeze({ mode: 'disabled' });

const S = 0x53;
const N = 0x4e;

export function describeAddress(a: ServerAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** A connected server socket and the reader its bytes arrive through. */
export interface ServerStream {
  /** The TLS socket when TLS was negotiated, else the TCP socket. Paused. */
  readonly socket: net.Socket;
  /** Reads of `socket`: into a reused buffer for plain TCP, the TLS socket's chunks otherwise. */
  readonly reader: SocketReader;
}

/**
 * A connected socket, TLS-wrapped when negotiated, paused (the caller sets the reader's consumer
 * and resumes). Rejects with a ServerError (08001) carrying the underlying cause. `signal` aborts
 * (connect timeout): the socket in progress is destroyed.
 */
export async function openServerStream(address: ServerAddress, tlsOptions: ServerTlsOptions, signal?: AbortSignal): Promise<ServerStream> {
  const reader = new SocketReader();
  const socket = await open(address, tlsOptions, reader, signal);
  return { socket, reader };
}

/** As openServerStream, for a short-lived socket read through its stream events (CancelRequest). */
export function openServerSocket(address: ServerAddress, tlsOptions: ServerTlsOptions, signal?: AbortSignal): Promise<net.Socket> {
  return open(address, tlsOptions, null, signal);
}

async function open(address: ServerAddress, tlsOptions: ServerTlsOptions, reader: SocketReader | null, signal?: AbortSignal): Promise<net.Socket> {
  const where = describeAddress(address);
  const intoBuffer = reader !== null && directIoAvailable;
  const raw = intoBuffer ? net.connect({ host: address.host, port: address.port, onread: reader.onread }) : net.connect({ host: address.host, port: address.port });
  if (reader !== null && !intoBuffer) reader.listen(raw);
  raw.setNoDelay(true);
  raw.setKeepAlive(true);
  raw.pause();
  const onAbort = (): void => {
    raw.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await settle(raw, 'connect', (e) => new ServerError(SqlState.SqlClientUnableToEstablishSqlConnection, `pgdog: could not connect to server ${where}: ${e.message}`, { cause: e }));
    if (tlsOptions.mode === 'disabled') return raw;
    raw.write(SSL_REQUEST);
    const answer = await firstChunk(raw, reader, where);
    if (answer.length !== 1 || (answer[0] !== S && answer[0] !== N)) {
      raw.destroy();
      // More than one byte after the request would let a man in the middle inject plaintext
      // ahead of the handshake (CVE-2021-23222), so anything but a lone S or N is fatal.
      throw new ServerError(SqlState.ProtocolViolation, `pgdog: unexpected answer to SSLRequest from ${where}`);
    }
    if (answer[0] === N) {
      if (tlsOptions.mode === 'prefer') return raw;
      raw.destroy();
      throw new ServerError(SqlState.SqlClientUnableToEstablishSqlConnection, `pgdog: server ${where} does not support TLS, but tls_verify = ${tlsOptions.mode} requires it`);
    }
    const secure = await upgrade(raw, address, tlsOptions, signal);
    reader?.listen(secure);
    return secure;
  } catch (e) {
    raw.destroy();
    if (signal?.aborted) throw signal.reason;
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function upgrade(raw: net.Socket, address: ServerAddress, o: ServerTlsOptions, signal?: AbortSignal): Promise<net.Socket> {
  const verify = o.mode === 'verify_ca' || o.mode === 'verify_full';
  const secure = tls.connect({
    socket: raw,
    host: address.host,
    // SNI must be a DNS name; an IP literal is checked against the certificate's IP SANs instead.
    servername: net.isIP(address.host) === 0 ? address.host : undefined,
    rejectUnauthorized: verify,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    checkServerIdentity: o.mode === 'verify_full' ? tls.checkServerIdentity : () => undefined,
  });
  secure.setNoDelay(true);
  // Errors surface on the TLS socket; one on the wrapped socket must not go unhandled.
  raw.on('error', () => {});
  const onAbort = (): void => {
    secure.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await settle(secure, 'secureConnect', (e) => new ServerError(SqlState.SqlClientUnableToEstablishSqlConnection, `pgdog: TLS handshake with ${describeAddress(address)} failed: ${e.message}`, { cause: e }));
  } catch (e) {
    secure.destroy();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  secure.pause();
  return secure;
}

/** Resolves on `event`, rejects on 'error' or an early 'close'. */
function settle(socket: net.Socket, event: string, wrap: (e: Error) => ServerError): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off(event, onEvent);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(wrap(e));
    };
    const onClose = (): void => {
      cleanup();
      reject(wrap(new Error('connection closed')));
    };
    socket.once(event, onEvent);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/** The first chunk the server sends; the socket is paused again before anything else is read. */
function firstChunk(socket: net.Socket, reader: SocketReader | null, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      if (reader === null) socket.off('data', onData);
      else reader.setConsumer(null);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      socket.pause();
      cleanup();
      // A reader's chunk lives in a buffer it reuses.
      resolve(reader === null ? chunk : Buffer.from(chunk));
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(new ServerError(SqlState.SqlClientUnableToEstablishSqlConnection, `pgdog: SSLRequest to ${where} failed: ${e.message}`, { cause: e }));
    };
    const onClose = (): void => {
      cleanup();
      reject(new ServerError(SqlState.ConnectionFailure, `pgdog: server ${where} closed the connection during SSLRequest`));
    };
    if (reader === null) socket.on('data', onData);
    else reader.setConsumer(onData);
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.resume();
  });
}
