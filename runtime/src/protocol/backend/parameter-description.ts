import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// ParameterDescription 't': the parameter type OIDs of a prepared statement (answer to Describe 'S').

export function writeParameterDescription(w: MessageWriter, typeOids: readonly number[]): MessageWriter {
  w.begin(BackendCode.ParameterDescription).uint16(typeOids.length);
  for (const oid of typeOids) w.uint32(oid);
  return w.end();
}

const reader = new Reader();

export function readParameterDescription(buf: Buffer, start: number, end: number): number[] {
  reader.setBuffer(buf, start + 5, end);
  const count = reader.uint16();
  const oids = new Array<number>(count);
  for (let i = 0; i < count; i++) oids[i] = reader.uint32();
  reader.expectEnd();
  return oids;
}
