// Positions inside a TOML string value -> positions in the file. A rule's `match` is a decoded
// string; an error at offset N of it must point at the right character of the source, which
// differs when escapes (`\"`, `\n`, `\u0041`), a trimmed first newline or a line-ending backslash
// sit in between. Lines and columns are 1-based, columns in UTF-16 code units (like the config
// loader's positions).

export type TomlStringKind = 'basic' | 'literal' | 'multiline-basic' | 'multiline-literal';

export interface DecodedTomlString {
  kind: TomlStringKind;
  value: string;
  /**
   * rawOffsets[i] is the offset in the raw text of the source character that produced value[i];
   * rawOffsets[value.length] is the offset of the closing delimiter.
   */
  rawOffsets: number[];
}

export function tomlStringKind(raw: string): TomlStringKind {
  if (raw.startsWith('"""')) return 'multiline-basic';
  if (raw.startsWith("'''")) return 'multiline-literal';
  if (raw.startsWith('"')) return 'basic';
  if (raw.startsWith("'")) return 'literal';
  throw new Error('not a TOML string: it must start with a quote');
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Decodes a TOML string as written (including its quotes), keeping where each character came from. */
export function decodeTomlString(raw: string): DecodedTomlString {
  const kind = tomlStringKind(raw);
  const multiline = kind === 'multiline-basic' || kind === 'multiline-literal';
  const escapes = kind === 'basic' || kind === 'multiline-basic';
  const delimiter = multiline ? 3 : 1;
  const end = Math.max(delimiter, raw.length - delimiter);
  let i = delimiter;
  // A newline right after the opening delimiter is not part of the value.
  if (multiline) {
    if (raw[i] === '\n') i += 1;
    else if (raw[i] === '\r' && raw[i + 1] === '\n') i += 2;
  }
  let value = '';
  const rawOffsets: number[] = [];
  while (i < end) {
    const c = raw[i];
    if (!escapes || c !== '\\') {
      value += c;
      rawOffsets.push(i);
      i++;
      continue;
    }
    const e = raw[i + 1];
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      rawOffsets.push(i);
      i += 2;
    } else if (e !== undefined && e in HEX_DIGITS) {
      const n = HEX_DIGITS[e];
      const decoded = String.fromCodePoint(parseInt(raw.slice(i + 2, i + 2 + n), 16));
      for (let k = 0; k < decoded.length; k++) rawOffsets.push(i);
      value += decoded;
      i += 2 + n;
    } else if (kind === 'multiline-basic' && (isBlank(e) || e === '\n' || e === '\r')) {
      // Line-ending backslash: drop it and all whitespace (newlines included) up to the next
      // character.
      i += 1;
      while (i < end && (isBlank(raw[i]) || raw[i] === '\n' || raw[i] === '\r')) i++;
    } else {
      // Not valid TOML (the parser rejects it first); keep it as written.
      value += c;
      rawOffsets.push(i);
      i++;
    }
  }
  rawOffsets.push(end);
  return { kind, value, rawOffsets };
}

/**
 * File line:column of the character at `innerOffset` of the decoded value, given where the raw
 * value (its opening quote) starts in the file and its raw text. An offset at or past the end
 * maps to the closing delimiter.
 */
export function tomlValuePosition(valueStartLine: number, valueStartColumn: number, raw: string, innerOffset: number): { line: number; column: number } {
  const { rawOffsets } = decodeTomlString(raw);
  const at = rawOffsets[Math.min(Math.max(innerOffset, 0), rawOffsets.length - 1)];
  let line = valueStartLine;
  let lineStart = -1;
  for (let i = 0; i < at; i++) {
    if (raw.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return lineStart < 0 ? { line, column: valueStartColumn + at } : { line, column: at - lineStart + 1 };
}
