// chevrotain's package entry (lib/src/api.js) pulls in lodash-es as hundreds of small modules:
// ~270 ms to import on an idle machine, several times that under load. The same release ships a
// self-contained bundle, lib/chevrotain.mjs, that loads in ~40 ms. Its exports map does not list
// the bundle, so it is found next to the resolved entry; if it is ever missing, the entry is used.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  const bundle = join(dirname(entry), '..', 'chevrotain.mjs');
  if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  return import('chevrotain');
}

const chevrotain = await load();

export const { createToken, Lexer, EmbeddedActionsParser, EOF } = chevrotain;
