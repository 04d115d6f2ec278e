// libpg-query reports AST locations as UTF-8 byte offsets and parse errors as code-point counts;
// everything we hand out is a JS string index. These converters bridge the three.

/** Maps a UTF-8 byte offset into `text` to a JS string index. */
export type ByteToChar = (byteOffset: number) => number;

const identity: ByteToChar = (offset) => offset;

/** True when every char is ASCII, i.e. byte offsets equal string indexes. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

export function byteToCharConverter(text: string): ByteToChar {
  if (isAscii(text)) return identity;
  // Built on demand: only non-ASCII queries pay for it, once per analysis.
  const table: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) table.push(i);
    else if (c < 0x800) table.push(i, i);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      // A surrogate pair is one 4-byte code point and two JS chars.
      table.push(i, i, i, i);
      i++;
    } else table.push(i, i, i);
  }
  table.push(text.length);
  return (offset) => (offset < 0 ? offset : offset >= table.length ? text.length : table[offset]!);
}

/** Converts a count of code points from the start of `text` to a JS string index. */
export function codePointToCharIndex(text: string, codePoints: number): number {
  let index = 0;
  for (let n = 0; n < codePoints && index < text.length; n++) {
    const c = text.charCodeAt(index);
    index += c >= 0xd800 && c <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return index;
}
