// How the merger reads a column value of a known type, in text or binary format: a key that
// orders like PostgreSQL's default btree operator class, and an equality key (a string) for
// DISTINCT and GROUP BY. Text compares bytewise, which is the C collation: the test harness's
// clusters are initdb'd with --locale=C; see README for other collations.
import { compareDecimal, decimalKey, parseDecimal, type Decimal } from './decimal.js';
import { readNumericBinary } from './numeric-binary.js';

export const Oid = {
  Bool: 16, Name: 19, Int8: 20, Int2: 21, Int4: 23, Text: 25, Oid: 26, Float4: 700, Float8: 701,
  Bpchar: 1042, Varchar: 1043, Date: 1082, Timestamp: 1114, Timestamptz: 1184, Numeric: 1700, Uuid: 2950,
} as const;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Oid).map(([k, v]) => [v, k.toLowerCase()]));

export function typeName(oid: number): string {
  return TYPE_NAMES.get(oid) ?? `type oid ${oid}`;
}

export interface ColumnType {
  /** Ordering key of a non-null value. */
  decode(value: Buffer): unknown;
  compare(a: unknown, b: unknown): number;
  /** Equal keys exactly when PostgreSQL's = says equal. */
  equalityKey(key: unknown): string;
}

const compareNumbers = (a: unknown, b: unknown): number => {
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
};

// float8 ordering: NaN equals NaN and sorts above everything; -0 equals 0.
const compareFloats = (a: unknown, b: unknown): number => {
  const x = a as number;
  const y = b as number;
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
  if (Number.isNaN(y)) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
};

const floatKey = (k: unknown): string => (Number.isNaN(k as number) ? 'NaN' : String((k as number) + 0));
const compareBytes = (a: unknown, b: unknown): number => Buffer.compare(a as Buffer, b as Buffer);
const bytesKey = (k: unknown): string => (k as Buffer).toString('latin1');

function intText(v: Buffer): number | bigint {
  const s = v.toString('latin1');
  return s.length <= 15 ? Number(s) : BigInt(s);
}

function int8Binary(v: Buffer): number | bigint {
  const n = v.readBigInt64BE(0);
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

function floatText(v: Buffer): number {
  const s = v.toString('latin1');
  return s === 'NaN' ? NaN : Number(s);
}

function numericText(v: Buffer): Decimal {
  const d = parseDecimal(v.toString('latin1'));
  if (d === null) throw new Error(`invalid numeric value from a shard: ${v.toString('latin1')}`);
  return d;
}

/** bpchar compares without trailing spaces. */
function bpchar(v: Buffer): Buffer {
  let end = v.length;
  while (end > 0 && v[end - 1] === 0x20) end--;
  return v.subarray(0, end);
}

// --- dates and times in DateStyle ISO -------------------------------------------------------

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DATE_RE = /^(\d+)-(\d\d)-(\d\d)/;

function dateText(v: Buffer): number {
  const s = v.toString('latin1');
  if (s === 'infinity') return Infinity;
  if (s === '-infinity') return -Infinity;
  const m = DATE_RE.exec(s);
  if (m === null) throw new Error(`unexpected date text from a shard (DateStyle must be ISO): ${s}`);
  let year = Number(m[1]);
  if (s.endsWith(' BC')) year = 1 - year;
  return daysFromCivil(year, Number(m[2]), Number(m[3]));
}

const TIME_RE = /^(\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?/;

/** [seconds since 1970 UTC, microseconds]; ±Infinity seconds for infinity. */
function timestampText(v: Buffer): [number, number] {
  const s = v.toString('latin1');
  if (s === 'infinity') return [Infinity, 0];
  if (s === '-infinity') return [-Infinity, 0];
  const m = TIME_RE.exec(s);
  if (m === null) throw new Error(`unexpected timestamp text from a shard (DateStyle must be ISO): ${s}`);
  let year = Number(m[1]);
  if (s.endsWith(' BC')) year = 1 - year;
  let seconds = daysFromCivil(year, Number(m[2]), Number(m[3])) * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  if (m[8] !== undefined) {
    const offset = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    seconds -= m[8] === '-' ? -offset : offset;
  }
  return [seconds, m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'))];
}

const comparePairs = (a: unknown, b: unknown): number => {
  const [s1, u1] = a as [number, number];
  const [s2, u2] = b as [number, number];
  return s1 < s2 ? -1 : s1 > s2 ? 1 : u1 - u2;
};

const INT: Omit<ColumnType, 'decode'> = { compare: compareNumbers, equalityKey: String };
const FLOAT: Omit<ColumnType, 'decode'> = { compare: compareFloats, equalityKey: floatKey };
const BYTES: Omit<ColumnType, 'decode'> = { compare: compareBytes, equalityKey: bytesKey };
const NUMERIC: Omit<ColumnType, 'decode'> = {
  compare: (a, b) => compareDecimal(a as Decimal, b as Decimal),
  equalityKey: (k) => decimalKey(k as Decimal),
};
const PAIR: Omit<ColumnType, 'decode'> = { compare: comparePairs, equalityKey: (k) => (k as number[]).join('.') };

/** The codec for a column, or null when the merger cannot order or compare that type. */
export function columnType(typeOid: number, format: number): ColumnType | null {
  const binary = format === 1;
  switch (typeOid) {
    case Oid.Int2: return { ...INT, decode: binary ? (v) => v.readInt16BE(0) : intText };
    case Oid.Int4: return { ...INT, decode: binary ? (v) => v.readInt32BE(0) : intText };
    case Oid.Oid: return { ...INT, decode: binary ? (v) => v.readUInt32BE(0) : intText };
    case Oid.Int8: return { ...INT, decode: binary ? int8Binary : intText };
    case Oid.Float4: return { ...FLOAT, decode: binary ? (v) => v.readFloatBE(0) : floatText };
    case Oid.Float8: return { ...FLOAT, decode: binary ? (v) => v.readDoubleBE(0) : floatText };
    case Oid.Numeric: return { ...NUMERIC, decode: binary ? readNumericBinary : numericText };
    case Oid.Text: case Oid.Varchar: case Oid.Name: case Oid.Uuid: case Oid.Bool:
      // Text and binary forms both order bytewise: UTF-8 under C collation, lower-case hex
      // uuids, 't' > 'f' and 1 > 0.
      return { ...BYTES, decode: (v) => v };
    case Oid.Bpchar: return { ...BYTES, decode: bpchar };
    case Oid.Date: return { ...INT, decode: binary ? (v) => v.readInt32BE(0) : dateText };
    case Oid.Timestamp: case Oid.Timestamptz:
      return binary
        ? { ...INT, decode: int8Binary }
        : { ...PAIR, decode: timestampText };
    default:
      return null;
  }
}
