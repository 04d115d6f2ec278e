import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';

/** The [general] keys that decide TLS towards clients. */
export interface ClientTlsSettings {
  readonly tls_certificate?: string;
  readonly tls_private_key?: string;
  readonly tls_client_required?: boolean;
}

export interface ClientTls {
  /** Null when no certificate is configured: SSLRequest is answered 'N'. */
  readonly context: SecureContext | null;
  /** Plain connections are refused (28000) after their StartupMessage. */
  readonly required: boolean;
}

/**
 * Reads the certificate and key once, at start-up: a missing or unreadable file stops the server
 * there instead of failing every client's handshake later.
 */
export function createClientTls(settings: ClientTlsSettings): ClientTls {
  const cert = settings.tls_certificate;
  const key = settings.tls_private_key;
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error('tls_certificate and tls_private_key must be set together');
  }
  const required = settings.tls_client_required === true;
  if (cert === undefined || key === undefined) {
    if (required) throw new Error('tls_client_required needs tls_certificate and tls_private_key');
    return { context: null, required };
  }
  const context = createSecureContext({
    cert: readFileSync(cert),
    key: readFileSync(key),
    // PostgreSQL's default ssl_min_protocol_version.
    minVersion: 'TLSv1.2',
  });
  return { context, required };
}

/**
 * Starts the server side of TLS on an accepted socket whose SSLRequest was answered 'S'. The
 * caller must have stopped reading the plain socket: from here on its bytes belong to TLS.
 */
export function upgradeToTls(socket: Socket, context: SecureContext): TLSSocket {
  const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
  secure.setNoDelay(true);
  return secure;
}
