import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// NegotiateProtocolVersion 'v': the protocol version the server will use ((major << 16) | minor, as
// PostgreSQL sends it) and the `_pq_.` options it did not recognise.

export function writeNegotiateProtocolVersion(
  w: MessageWriter,
  version: number,
  unrecognizedOptions: readonly string[],
): MessageWriter {
  w.begin(BackendCode.NegotiateProtocolVersion).int32(version).int32(unrecognizedOptions.length);
  for (const option of unrecognizedOptions) w.cstring(option);
  return w.end();
}

export interface NegotiateProtocolVersion {
  readonly version: number;
  readonly unrecognizedOptions: string[];
}

const reader = new Reader();

export function readNegotiateProtocolVersion(buf: Buffer, start: number, end: number): NegotiateProtocolVersion {
  reader.setBuffer(buf, start + 5, end);
  const version = reader.int32();
  const count = reader.int32();
  const unrecognizedOptions: string[] = [];
  for (let i = 0; i < count; i++) unrecognizedOptions.push(reader.cstring());
  reader.expectEnd();
  return { version, unrecognizedOptions };
}
