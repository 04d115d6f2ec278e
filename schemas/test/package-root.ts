// Test helpers: locate files of the package from dist/test/ (compiled) back at the package root.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export function readJson<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, new URL('../../', import.meta.url)), 'utf8')) as T;
}
