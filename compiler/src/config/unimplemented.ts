// W_UNIMPLEMENTED: pgDog keys that validate (so existing configs keep working) but do nothing
// here yet. The list lives with the schemas (`unimplementedKeys`); a key is reported only where
// it is written in the file, never because a default filled it in.

import type { ConfigFileKind } from '../errors.js';
import { finding, type Finding } from './finding.js';
import { childPointer, dottedPath, parsePointer } from './pointer.js';

export interface UnimplementedEntry {
  readonly file: ConfigFileKind;
  readonly pointer: string;
  readonly values?: readonly string[];
  readonly reason: string;
}

/** Concrete pointers in `doc` matching a pattern whose '*' segments stand for any array index. */
export function expandPattern(doc: unknown, pattern: string): { pointer: string; value: unknown }[] {
  let level: { pointer: string; value: unknown }[] = [{ pointer: '', value: doc }];
  for (const seg of parsePointer(pattern)) {
    const next: { pointer: string; value: unknown }[] = [];
    for (const { pointer, value } of level) {
      if (seg === '*') {
        if (Array.isArray(value)) value.forEach((v, i) => next.push({ pointer: childPointer(pointer, i), value: v }));
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, seg)) {
        next.push({ pointer: childPointer(pointer, seg), value: (value as Record<string, unknown>)[seg] });
      }
    }
    level = next;
  }
  return level;
}

export function unimplementedFindings(file: ConfigFileKind, doc: unknown, entries: readonly UnimplementedEntry[]): Finding<'W_UNIMPLEMENTED'>[] {
  const out: Finding<'W_UNIMPLEMENTED'>[] = [];
  for (const entry of entries) {
    if (entry.file !== file) continue;
    for (const { pointer, value } of expandPattern(doc, entry.pointer)) {
      if (entry.values && !(typeof value === 'string' && entry.values.includes(value))) continue;
      const key = entry.values ? `${dottedPath(pointer)} = ${JSON.stringify(value)}` : dottedPath(pointer);
      out.push(finding(file, pointer, 'key', 'W_UNIMPLEMENTED', { key, reason: entry.reason }));
    }
  }
  return out;
}
