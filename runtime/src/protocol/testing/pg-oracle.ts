// Test support: decode backend bytes with pg-protocol's Parser (node-postgres), an independent
// implementation used as the oracle for our encoders.

import { Parser } from 'pg-protocol/dist/parser.js';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';

/** Every message pg-protocol finds in `bytes`; the whole input must be consumed. */
export function parseWithPg(bytes: Buffer): BackendMessage[] {
  const out: BackendMessage[] = [];
  new Parser().parse(bytes, (m) => out.push(m));
  return out;
}
