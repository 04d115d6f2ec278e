import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// DataRow 'D': int16 column count, then per column an int32 length (-1 = NULL) and the bytes.
// Forwarded rows are never decoded; these are for synthetic results (admin, plugins) and merging.

/** A value of a synthetic text-format row. */
export type TextValue = string | number | bigint | boolean | Uint8Array | null | undefined;

/**
 * Writes one row in text format: numbers and bigints as decimal, booleans as PostgreSQL's 't'/'f',
 * null/undefined as SQL NULL, bytes as given.
 */
export function writeDataRow(w: MessageWriter, values: readonly TextValue[]): MessageWriter {
  w.begin(BackendCode.DataRow).int16(values.length);
  for (const v of values) {
    if (v === null || v === undefined) w.int32(-1);
    else if (typeof v === 'string') w.lengthPrefixedString(v);
    else if (typeof v === 'boolean') w.int32(1).byte(v ? 0x74 : 0x66);
    else if (v instanceof Uint8Array) w.int32(v.length).bytes(v);
    else w.lengthPrefixedString(String(v));
  }
  return w.end();
}

const reader = new Reader();

/** All column values as views of the frame (null for SQL NULL). */
export function readDataRow(buf: Buffer, start: number, end: number): (Buffer | null)[] {
  reader.setBuffer(buf, start + 5, end);
  const count = reader.uint16();
  const values = new Array<Buffer | null>(count);
  for (let i = 0; i < count; i++) {
    const length = reader.int32();
    values[i] = length === -1 ? null : reader.bytes(length);
  }
  reader.expectEnd();
  return values;
}

export function dataRowColumnCount(buf: Buffer, start: number): number {
  return buf.readUInt16BE(start + 5);
}
