// Words for schema diagnostics: how TOML values, types, sections and patterns read to a person
// editing the file. Values of secret keys are never shown.

import { dottedPath, parsePointer } from './pointer.js';

const SECRET = /pass(word)?|secret|token|api_key|jwt/i;

/** Any segment names a secret (`password`, `passwords[0]`, `otel.headers.*`). */
export function isSecretPointer(pointer: string): boolean {
  const parts = parsePointer(pointer);
  if (parts[0] === 'otel' && parts[1] === 'headers') return true;
  return parts.some((p) => SECRET.test(p));
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  array: 'an array',
  object: 'a table',
  null: 'null',
};

export function typeWord(type: string): string {
  return TYPE_WORDS[type] ?? type;
}

/** "an integer or a string" */
export function typeList(types: readonly string[]): string {
  const words = [...new Set(types)].map(typeWord);
  return words.length <= 1 ? (words[0] ?? 'something else') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** What a value is, in TOML terms, with the value itself unless it is secret. */
export function describeActual(v: unknown, pointer: string): string {
  const secret = isSecretPointer(pointer);
  const show = (kind: string, text: string) => (secret ? kind : `${kind} (${text})`);
  if (typeof v === 'string') return show('a string', JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v));
  if (typeof v === 'bigint') return show('an integer', v.toString());
  if (typeof v === 'number') return show(Number.isInteger(v) ? 'an integer' : 'a float', String(v));
  if (typeof v === 'boolean') return show('a boolean', String(v));
  if (v instanceof Date) return 'a date';
  if (Array.isArray(v)) return 'an array';
  if (v !== null && typeof v === 'object') return 'a table';
  return String(v);
}

/** The bare value for "got ..." in range and enum messages. */
export function describeValueOnly(v: unknown, pointer: string): string {
  if (isSecretPointer(pointer)) return 'a secret value';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 37) + '...' : v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return describeActual(v, pointer);
}

/** How a table is written in TOML: '/general' -> '[general]', '/databases/0' -> '[[databases]]'. */
export function sectionName(pointer: string, fileLabel: string): string {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return `the top level of ${fileLabel}`;
  const names = parts.filter((p) => !/^\d+$/.test(p));
  const isArrayItem = /^\d+$/.test(parts[parts.length - 1]);
  const dotted = names.join('.');
  return isArrayItem ? `[[${dotted}]]` : `[${dotted}]`;
}

/** The name a message uses for a key: its full dotted path. */
export function keyName(pointer: string): string {
  return dottedPath(pointer) || '(document)';
}

const KNOWN_PATTERNS: Record<string, string> = {
  '\\S': 'a non-blank string',
  '^shard:[0-9]+$': 'shard:<number>',
};

export function patternWord(pattern: string): string {
  return KNOWN_PATTERNS[pattern] ?? `a string matching /${pattern}/`;
}

export function quoteList(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');
}
