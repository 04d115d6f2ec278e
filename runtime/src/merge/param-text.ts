// The merger reads LIMIT / OFFSET / HAVING parameters as text. A binary-format Bind value is
// turned into text here from its length (int2 / int4 / int8, the types PostgreSQL infers for
// LIMIT and OFFSET parameters); other binary parameters are returned as null when unreadable.
export function paramText(value: Uint8Array | null, format: number): string | null {
  if (value === null) return null;
  const b = Buffer.from(value.buffer, value.byteOffset, value.length);
  if (format !== 1) return b.toString('utf8');
  if (b.length === 8) return b.readBigInt64BE(0).toString();
  if (b.length === 4) return String(b.readInt32BE(0));
  if (b.length === 2) return String(b.readInt16BE(0));
  return null;
}
