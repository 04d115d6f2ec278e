// Messages whose bytes never change, encoded once when the module loads. They are shared by every
// connection and handed to sockets as they are: never write into them.

function frame(code: number, body: readonly number[] = []): Buffer {
  const b = Buffer.allocUnsafeSlow(5 + body.length);
  b[0] = code;
  b.writeInt32BE(4 + body.length, 1);
  for (let i = 0; i < body.length; i++) b[5 + i] = body[i];
  return b;
}

/** ReadyForQuery 'Z' with status 'I' (idle). */
export const READY_FOR_QUERY_IDLE = frame(0x5a, [0x49]);
/** ReadyForQuery 'Z' with status 'T' (in a transaction block). */
export const READY_FOR_QUERY_IN_TRANSACTION = frame(0x5a, [0x54]);
/** ReadyForQuery 'Z' with status 'E' (in a failed transaction block). */
export const READY_FOR_QUERY_FAILED = frame(0x5a, [0x45]);
/** ParseComplete '1'. */
export const PARSE_COMPLETE = frame(0x31);
/** BindComplete '2'. */
export const BIND_COMPLETE = frame(0x32);
/** CloseComplete '3'. */
export const CLOSE_COMPLETE = frame(0x33);
/** NoData 'n'. */
export const NO_DATA = frame(0x6e);
/** EmptyQueryResponse 'I'. */
export const EMPTY_QUERY_RESPONSE = frame(0x49);
/** AuthenticationOk: 'R' with int32 0. */
export const AUTHENTICATION_OK = frame(0x52, [0, 0, 0, 0]);
/** Sync 'S' (frontend), for the proxy's own extended-protocol traffic to servers. */
export const SYNC = frame(0x53);
/** Flush 'H' (frontend). */
export const FLUSH = frame(0x48);
/** Terminate 'X' (frontend), sent before closing a server connection. */
export const TERMINATE = frame(0x58);

/** The single-byte answer to SSLRequest / GSSENCRequest: 'S' = go ahead with TLS. */
export const SSL_ACCEPTED = Buffer.from([0x53]);
/** The single-byte answer to SSLRequest / GSSENCRequest: 'N' = continue unencrypted. */
export const SSL_REFUSED = Buffer.from([0x4e]);
/** An SSLRequest packet, for the proxy's own connections to TLS-enabled servers. */
export const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
