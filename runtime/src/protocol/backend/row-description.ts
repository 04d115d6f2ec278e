import { BackendCode } from '../codes.js';
import { Reader } from '../reader.js';
import type { MessageWriter } from '../writer.js';

// RowDescription 'T': int16 column count, then per column: name, table OID, column attribute
// number, type OID, type size, type modifier, format code.

/** OIDs of the built-in types synthetic results use (pg_type.oid). */
export const TypeOid = {
  Bool: 16,
  Bytea: 17,
  Int8: 20,
  Int2: 21,
  Int4: 23,
  Text: 25,
  Oid: 26,
  Float4: 700,
  Float8: 701,
  Varchar: 1043,
  Timestamp: 1114,
  Timestamptz: 1184,
  Numeric: 1700,
} as const;

// pg_type.typlen of the fixed-size types above; every other type is variable length (-1).
const TYPE_SIZES = new Map<number, number>([
  [TypeOid.Bool, 1],
  [TypeOid.Int8, 8],
  [TypeOid.Int2, 2],
  [TypeOid.Int4, 4],
  [TypeOid.Oid, 4],
  [TypeOid.Float4, 4],
  [TypeOid.Float8, 8],
  [TypeOid.Timestamp, 8],
  [TypeOid.Timestamptz, 8],
]);

export interface ColumnDescription {
  readonly name: string;
  /** Default: text (25). */
  readonly typeOid?: number;
  /** Default: the type's pg_type.typlen for the types in TypeOid, else -1. */
  readonly typeSize?: number;
  /** Default: -1 (none). */
  readonly typeModifier?: number;
  /** Default: 0; synthetic rows are sent as text. */
  readonly tableOid?: number;
  /** Default: 0. */
  readonly columnAttribute?: number;
  /** Default: 0 (text). */
  readonly format?: number;
}

export function writeRowDescription(w: MessageWriter, columns: readonly ColumnDescription[]): MessageWriter {
  w.begin(BackendCode.RowDescription).int16(columns.length);
  for (const c of columns) {
    const typeOid = c.typeOid ?? TypeOid.Text;
    w.cstring(c.name)
      .uint32(c.tableOid ?? 0)
      .int16(c.columnAttribute ?? 0)
      .uint32(typeOid)
      .int16(c.typeSize ?? TYPE_SIZES.get(typeOid) ?? -1)
      .int32(c.typeModifier ?? -1)
      .int16(c.format ?? 0);
  }
  return w.end();
}

export interface DescribedColumn {
  readonly name: string;
  readonly tableOid: number;
  readonly columnAttribute: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: number;
}

const reader = new Reader();

/** Decodes every column (cross-shard merging needs names, types and formats). */
export function readRowDescription(buf: Buffer, start: number, end: number): DescribedColumn[] {
  reader.setBuffer(buf, start + 5, end);
  const count = reader.uint16();
  const columns = new Array<DescribedColumn>(count);
  for (let i = 0; i < count; i++) {
    columns[i] = {
      name: reader.cstring(),
      tableOid: reader.uint32(),
      columnAttribute: reader.int16(),
      typeOid: reader.uint32(),
      typeSize: reader.int16(),
      typeModifier: reader.int32(),
      format: reader.int16(),
    };
  }
  reader.expectEnd();
  return columns;
}

/** Column count alone (first field of the body). */
export function rowDescriptionColumnCount(buf: Buffer, start: number): number {
  return buf.readUInt16BE(start + 5);
}
