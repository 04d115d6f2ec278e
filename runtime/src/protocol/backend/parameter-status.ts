import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// ParameterStatus 'S': a run-time parameter's name and current value, both cstrings.

export function writeParameterStatus(w: MessageWriter, name: string, value: string): MessageWriter {
  return w.begin(BackendCode.ParameterStatus).cstring(name).cstring(value).end();
}

export interface ParameterStatus {
  readonly name: string;
  readonly value: string;
}

const reader = new Reader();

export function readParameterStatus(buf: Buffer, start: number, end: number): ParameterStatus {
  reader.setBuffer(buf, start + 5, end);
  const name = reader.cstring();
  const value = reader.cstring();
  reader.expectEnd();
  return { name, value };
}
