// Reading one config file: bytes from disk, decoded, parsed by smol-toml into plain values.
// Problems become findings; nothing here throws for bad input.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { parse, TomlError } from 'smol-toml';
import type { ConfigFileKind } from '../errors.js';
import { decodeToml } from './decode.js';
import { finding, type Finding } from './finding.js';

/** Larger than any sane config; keeps a wrong path (a log, a dump) from eating memory. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export type TomlTable = Record<string, unknown>;

export interface LoadedFile {
  kind: ConfigFileKind;
  path: string;
  /** sha256 of the bytes on disk, or null if they could not be read. */
  sha256: string | null;
  /** Decoded text, kept for position lookups. */
  text: string | null;
  /** Parsed document as plain objects; integers beyond 2^53 are bigint, dates are TomlDate. */
  data: TomlTable | null;
  findings: Finding[];
}

const WHOLE_FILE = { line: 0, column: 0 };

function failed(kind: ConfigFileKind, path: string, f: Finding, sha256: string | null = null, text: string | null = null): LoadedFile {
  return { kind, path, sha256, text, data: null, findings: [f] };
}

function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}

export async function loadFile(path: string, kind: ConfigFileKind): Promise<LoadedFile> {
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (st.isDirectory()) {
      return failed(kind, path, { ...finding(kind, '', 'value', 'E_FILE_UNREADABLE', { path, reason: 'it is a directory' }), position: WHOLE_FILE });
    }
    if (st.size > MAX_CONFIG_BYTES) {
      return failed(kind, path, { ...finding(kind, '', 'value', 'E_FILE_TOO_LARGE', { size: st.size, limit: MAX_CONFIG_BYTES }), position: WHOLE_FILE });
    }
    bytes = await readFile(path);
  } catch (err) {
    const f =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? finding(kind, '', 'value', 'E_FILE_NOT_FOUND', { path })
        : finding(kind, '', 'value', 'E_FILE_UNREADABLE', { path, reason: ioReason(err) });
    return failed(kind, path, { ...f, position: WHOLE_FILE });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const decoded = decodeToml(bytes);
  if (!decoded.ok) return failed(kind, path, { ...finding(kind, '', 'value', decoded.code, {}), position: decoded.position }, sha256);
  const parsed = parseToml(kind, decoded.text);
  if ('finding' in parsed) return failed(kind, path, parsed.finding, sha256, decoded.text);
  if (kind === 'pgdog' && Object.keys(parsed.data).length === 0) {
    return failed(kind, path, { ...finding(kind, '', 'value', 'E_EMPTY_FILE', {}), position: { line: 1, column: 1 } }, sha256, decoded.text);
  }
  return { kind, path, sha256, text: decoded.text, data: parsed.data, findings: [] };
}

export function parseToml(kind: ConfigFileKind, text: string): { data: TomlTable } | { finding: Finding } {
  try {
    // 'asNeeded' keeps 64-bit ids (range bounds such as 9223372036854775807) exact instead of
    // rejecting them the way the default mode does.
    return { data: toPlain(parse(text, { integersAsBigInt: 'asNeeded' })) as TomlTable };
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      return { finding: { ...finding(kind, '', 'value', 'E_TOML_SYNTAX', { detail: first }), position: { line: err.line, column: err.column } } };
    }
    throw err;
  }
}

/** smol-toml builds null-prototype objects; later stages (and deepEqual in tests) want plain ones. */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === null) {
    // fromEntries defines properties, so a `__proto__` key stays an ordinary (unknown) key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
