// The schema documents and the unimplemented-key list, read from the package root
// (dist/src/ -> ../../). Reading two small JSON files is cheaper than any bundling step.
import { readFileSync } from 'node:fs';

/** A JSON Schema document (draft 2020-12), as parsed JSON. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A key (or some values of a key) that validates but has no effect yet. */
export interface UnimplementedKey {
  /** Which file the key belongs to. */
  readonly file: 'pgdog' | 'users';
  /** JSON Pointer into the parsed document; `*` stands for any array index. */
  readonly pointer: string;
  /** When present, only these values of the key are unimplemented. */
  readonly values?: readonly string[];
  /** Why it has no effect, for the warning shown to the user. */
  readonly reason: string;
}

const packageRoot = new URL('../../', import.meta.url);

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, packageRoot), 'utf8'));
}

/** Absolute path of a file shipped at the package root (e.g. for editors: `#:schema` lines). */
export function schemaPath(name: 'pgdog.schema.json' | 'users.schema.json' | 'routes.schema.json'): string {
  return new URL(name, packageRoot).pathname;
}

export const pgdogSchema = readJson('pgdog.schema.json') as JsonSchema;
export const usersSchema = readJson('users.schema.json') as JsonSchema;
/** The routing table artifact (`pgdog compile` output). */
export const routesSchema = readJson('routes.schema.json') as JsonSchema;
export const unimplementedKeys = readJson('unimplemented.json') as readonly UnimplementedKey[];
