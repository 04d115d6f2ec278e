import { Reader } from '../reader.js';

// Parse 'P': statement name, query text, int16 count, that many parameter type OIDs (0 = unspecified).

const reader = new Reader();

export interface ParseMessage {
  /** '' is the unnamed statement. */
  readonly statement: string;
  readonly query: string;
  readonly parameterTypes: number[];
}

export function readParse(buf: Buffer, start: number, end: number): ParseMessage {
  reader.setBuffer(buf, start + 5, end);
  const statement = reader.cstring();
  const query = reader.cstring();
  const count = reader.uint16();
  const parameterTypes = new Array<number>(count);
  for (let i = 0; i < count; i++) parameterTypes[i] = reader.uint32();
  reader.expectEnd();
  return { statement, query, parameterTypes };
}

/** Just the statement name, for prepared-statement bookkeeping without decoding the query text. */
export function parseStatementName(buf: Buffer, start: number, end: number): string {
  reader.setBuffer(buf, start + 5, end);
  return reader.cstring();
}
