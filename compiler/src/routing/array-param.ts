// Elements of a one-dimensional array bind parameter (`col = ANY($1)`), in text format
// (`{1,2,"a b",NULL}`) or binary format (array_send: ndim, flags, element oid, dimensions, then
// length-prefixed elements). Anything else (nested arrays, malformed input) gives null: the caller
// then cannot narrow the shards.

export type ArrayElement = Uint8Array | string | null;

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: false });

export function arrayElements(value: Uint8Array | string, format: number): ArrayElement[] | null {
  if (format === 1) return typeof value === 'string' ? null : binaryElements(value);
  return textElements(typeof value === 'string' ? value : TEXT_DECODER.decode(value));
}

function binaryElements(b: Uint8Array): Uint8Array[] | null {
  if (b.length < 12) return null;
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const ndim = view.getInt32(0);
  if (ndim === 0) return [];
  if (ndim !== 1 || b.length < 20) return null;
  const count = view.getInt32(12);
  if (count < 0) return null;
  const out: Uint8Array[] = [];
  let at = 20;
  for (let i = 0; i < count; i++) {
    if (at + 4 > b.length) return null;
    const len = view.getInt32(at);
    at += 4;
    // A NULL element matches no row: it adds no shard.
    if (len === -1) continue;
    if (len < 0 || at + len > b.length) return null;
    out.push(b.subarray(at, at + len));
    at += len;
  }
  return at === b.length ? out : null;
}

function textElements(s: string): (string | null)[] | null {
  let text = s.trim();
  // An explicit lower bound, e.g. `[0:1]={1,2}`.
  if (text.startsWith('[')) {
    const eq = text.indexOf('=');
    if (eq < 0) return null;
    text = text.slice(eq + 1).trim();
  }
  if (!text.startsWith('{') || !text.endsWith('}')) return null;
  const body = text.slice(1, -1);
  const out: (string | null)[] = [];
  if (body.trim() === '') return out;
  let i = 0;
  const n = body.length;
  for (;;) {
    while (i < n && /\s/.test(body[i])) i++;
    if (body[i] === '{') return null;
    let item = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < n && body[i] !== '"') {
        if (body[i] === '\\') i++;
        if (i < n) item += body[i++];
      }
      if (i >= n) return null;
      i++;
    } else {
      while (i < n && body[i] !== ',') {
        if (body[i] === '\\') i++;
        if (i < n) item += body[i++];
      }
      item = item.trim();
    }
    out.push(!quoted && item.toUpperCase() === 'NULL' ? null : item);
    while (i < n && /\s/.test(body[i])) i++;
    if (i >= n) return out;
    if (body[i] !== ',') return null;
    i++;
  }
}
