// Type-guarded reads of a document that may have failed schema validation: semantic checks run
// on whatever parts are well-formed and skip the rest (the schema stage reports those).

export type Table = Record<string, unknown>;

export function asTable(v: unknown): Table | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? (v as Table) : undefined;
}

export function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function str(t: Table | undefined, key: string): string | undefined {
  const v = t?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** Small integers (ports, shard numbers); a bigint or float is not one. */
export function int(t: Table | undefined, key: string): number | undefined {
  const v = t?.[key];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function bool(t: Table | undefined, key: string): boolean | undefined {
  const v = t?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

export function has(t: Table | undefined, key: string): boolean {
  return t !== undefined && Object.prototype.hasOwnProperty.call(t, key);
}

/** Array-of-tables entries with their index, skipping malformed ones. */
export function tablesOf(doc: Table | undefined, key: string): { index: number; item: Table }[] {
  const out: { index: number; item: Table }[] = [];
  asArray(doc?.[key])?.forEach((v, index) => {
    const item = asTable(v);
    if (item) out.push({ index, item });
  });
  return out;
}

/** How a value reads in a message: strings quoted, long ones cut. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'a table';
  return String(v);
}
