// List/range mapping values as pgDog compares them: integers numerically, UUIDs by their bytes,
// strings by their UTF-8 bytes. A value of another kind than the column's data_type can never
// match a query value (pgDog converts the query value to the column type first).

export type MappingKey =
  | { kind: 'integer'; value: bigint }
  | { kind: 'uuid'; value: string /* 32 lowercase hex digits: byte order = string order */ }
  | { kind: 'string'; value: Buffer };

/** What a data_type expects, for messages; undefined for types that take no mappings. */
export function expectedKind(dataType: string): string | undefined {
  switch (dataType) {
    case 'bigint':
      return 'an integer';
    case 'uuid':
      return 'a UUID string';
    case 'varchar':
      return 'a string';
    default:
      return undefined;
  }
}

const UUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^urn:uuid:([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^([0-9a-f]{32})$/i,
];

/** The forms the Rust `uuid` crate (used by pgDog) parses, as 32 lowercase hex digits. */
export function parseUuid(s: string): string | undefined {
  for (const re of UUID_FORMS) {
    const m = re.exec(s);
    if (m) return m.slice(1).join('').toLowerCase();
  }
  return undefined;
}

/** The comparable key of a mapping value for a column of `dataType`, or undefined if it cannot match. */
export function mappingKey(dataType: string, v: unknown): MappingKey | undefined {
  switch (dataType) {
    case 'bigint':
      if (typeof v === 'bigint') return { kind: 'integer', value: v };
      if (typeof v === 'number' && Number.isInteger(v)) return { kind: 'integer', value: BigInt(v) };
      return undefined;
    case 'uuid': {
      const u = typeof v === 'string' ? parseUuid(v) : undefined;
      return u === undefined ? undefined : { kind: 'uuid', value: u };
    }
    case 'varchar':
      return typeof v === 'string' ? { kind: 'string', value: Buffer.from(v, 'utf8') } : undefined;
    default:
      return undefined;
  }
}

export function compareKeys(a: MappingKey, b: MappingKey): number {
  if (a.kind === 'integer' && b.kind === 'integer') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'uuid' && b.kind === 'uuid') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'string' && b.kind === 'string') return Buffer.compare(a.value, b.value);
  throw new Error(`cannot compare ${a.kind} with ${b.kind}`);
}

/** A key for Set/Map membership (duplicate list values). */
export function identity(k: MappingKey): string {
  return k.kind === 'string' ? 's:' + k.value.toString('hex') : k.kind[0] + ':' + k.value.toString();
}

/** A range [start, end); an absent bound is unbounded. */
export interface Range {
  start: MappingKey | undefined;
  end: MappingKey | undefined;
}

export function isEmptyRange(r: Range): boolean {
  return r.start !== undefined && r.end !== undefined && compareKeys(r.start, r.end) >= 0;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  // [a.start, a.end) and [b.start, b.end) overlap iff each starts before the other ends.
  const startsBefore = (s: MappingKey | undefined, e: MappingKey | undefined) => s === undefined || e === undefined || compareKeys(s, e) < 0;
  return startsBefore(a.start, b.end) && startsBefore(b.start, a.end);
}
