import { BackendCode } from '../codes.js';
import { MalformedMessageError } from '../malformed-message.js';
import type { MessageWriter } from '../writer.js';

// BackendKeyData 'K': process id and the secret a CancelRequest must quote. The secret is 4 bytes
// in protocol 3.0 and 4..256 bytes in 3.2, so it is handled as bytes throughout.

export function writeBackendKeyData(w: MessageWriter, processId: number, secretKey: Uint8Array): MessageWriter {
  if (secretKey.length < 4 || secretKey.length > 256) throw new RangeError('secret key must be 4..256 bytes');
  return w.begin(BackendCode.BackendKeyData).int32(processId).bytes(secretKey).end();
}

export interface BackendKeyData {
  readonly processId: number;
  /** A copy: it is kept for the life of the server connection. */
  readonly secretKey: Buffer;
}

export function readBackendKeyData(buf: Buffer, start: number, end: number): BackendKeyData {
  const keyLength = end - start - 9;
  if (keyLength < 4 || keyLength > 256) throw new MalformedMessageError('invalid BackendKeyData length');
  return {
    processId: buf.readInt32BE(start + 5),
    secretKey: Buffer.from(buf.subarray(start + 9, end)),
  };
}
