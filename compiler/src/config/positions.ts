// Source positions for every key and value of a TOML document, keyed by JSON pointer.
// smol-toml (the value parser) has no positions, so when there is something to report we parse
// the text a second time with toml-eslint-parser. This module is imported lazily for that reason:
// a valid config never pays for it.

import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import { toPointer, type PathSegment } from './pointer.js';

/** 1-based line and column (column in UTF-16 code units, as editors count). */
export interface Position {
  line: number;
  column: number;
}

/** Where the key that names a value is written, and where the value itself starts. */
export interface Located {
  key: Position;
  value: Position;
}

export type PositionMap = Map<string, Located>;

type ContentNode = AST.TOMLContentNode;

function pos(node: { loc: { start: { line: number; column: number } } }): Position {
  return { line: node.loc.start.line, column: node.loc.start.column + 1 };
}

function keyName(k: AST.TOMLBare | AST.TOMLQuoted): string {
  return k.type === 'TOMLBare' ? k.name : k.value;
}

class Collector {
  readonly map: PositionMap = new Map();

  /** Explicit definitions win over implicit ones (a dotted key or header prefix). */
  set(path: readonly PathSegment[], loc: Located): void {
    this.map.set(toPointer(path), loc);
  }

  setIfAbsent(path: readonly PathSegment[], loc: Located): void {
    const p = toPointer(path);
    if (!this.map.has(p)) this.map.set(p, loc);
  }

  table(node: AST.TOMLTable): void {
    const header = pos(node);
    const parts = node.key.keys;
    const resolved = node.resolvedKey;
    // resolvedKey interleaves key names with array indexes ([[a.b]] #2 -> ['a', 0, 'b', 1]);
    // walk it alongside the written key parts so each name gets its own column.
    let part = 0;
    for (let i = 0; i < resolved.length; i++) {
      const seg = resolved[i];
      const keyPos = typeof seg === 'string' && parts[part] ? pos(parts[part++]) : header;
      const loc = { key: keyPos, value: header };
      if (i === resolved.length - 1) this.set(resolved.slice(0, i + 1), loc);
      else this.setIfAbsent(resolved.slice(0, i + 1), loc);
    }
    for (const kv of node.body) this.keyValue(kv, resolved);
  }

  keyValue(kv: AST.TOMLKeyValue, base: readonly PathSegment[]): void {
    const keys = kv.key.keys;
    const path = [...base];
    for (let i = 0; i < keys.length; i++) {
      path.push(keyName(keys[i]));
      const keyPos = pos(keys[i]);
      if (i === keys.length - 1) this.set(path, { key: keyPos, value: pos(kv.value) });
      else this.setIfAbsent(path, { key: keyPos, value: keyPos });
    }
    this.content(kv.value, path);
  }

  content(node: ContentNode, path: readonly PathSegment[]): void {
    if (node.type === 'TOMLArray') {
      node.elements.forEach((el, i) => {
        const p = pos(el);
        const child = [...path, i];
        this.set(child, { key: p, value: p });
        this.content(el, child);
      });
    } else if (node.type === 'TOMLInlineTable') {
      for (const kv of node.body) this.keyValue(kv, path);
    }
  }
}

/** Builds the pointer -> position map; an unparseable text gives an empty map. */
export function buildPositionMap(text: string): PositionMap {
  const collector = new Collector();
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text);
  } catch {
    return collector.map;
  }
  for (const node of program.body[0].body) {
    if (node.type === 'TOMLTable') collector.table(node);
    else collector.keyValue(node, []);
  }
  return collector.map;
}
