// RFC 6901 JSON pointers: the one way every config stage names a place in a document.

export type PathSegment = string | number;

export function escapeSegment(segment: PathSegment): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) out += '/' + escapeSegment(s);
  return out;
}

export function childPointer(parent: string, segment: PathSegment): string {
  return parent + '/' + escapeSegment(segment);
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** '/a/b/0' -> '/a/b'; '' stays ''. */
export function parentPointer(pointer: string): string {
  const i = pointer.lastIndexOf('/');
  return i <= 0 ? '' : pointer.slice(0, i);
}

/** The last segment, i.e. the key a message should name ('' for the root). */
export function lastSegment(pointer: string): string {
  const parts = parsePointer(pointer);
  return parts.length === 0 ? '' : parts[parts.length - 1];
}

/** Value at a pointer in a plain document, or undefined. */
export function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const seg of parsePointer(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * How a pointer reads in a message: '/databases/1/port' -> 'databases[1].port'. TOML users
 * think in dotted keys, not JSON pointers.
 */
export function dottedPath(pointer: string): string {
  let out = '';
  for (const seg of parsePointer(pointer)) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out === '' ? seg : '.' + seg;
    else out += (out === '' ? '' : '.') + JSON.stringify(seg);
  }
  return out;
}
