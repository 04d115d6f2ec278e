// One client's statement names -> global statements. PostgreSQL keys prepared statements by the
// first 63 bytes of the name (its hash table key is NAMEDATALEN), so two protocol-level names that
// share those bytes are the same statement; error messages still quote the name as sent.

import type { GlobalStatement } from './statement-cache.js';

const NAME_KEY_BYTES = 63;

/** The lookup key PostgreSQL would use for a statement name given as raw frame bytes. */
export function statementKeyFromBytes(buf: Buffer, start: number, nulAt: number): string {
  const end = nulAt - start > NAME_KEY_BYTES ? start + NAME_KEY_BYTES : nulAt;
  // latin1 maps bytes 1:1, so a cut inside a multibyte character still gives a stable key.
  return buf.toString('latin1', start, end);
}

/** The same key from a decoded name (SQL DEALLOCATE, tests). */
export function statementKey(name: string): string {
  // A short ASCII name is its own key (its UTF-8 bytes read as latin1 are the same characters).
  if (name.length <= NAME_KEY_BYTES && isAscii(name)) return name;
  return statementKeyFromBytes(Buffer.from(name, 'utf8'), 0, Buffer.byteLength(name, 'utf8'));
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

export class ClientStatements {
  private readonly names: Map<string, GlobalStatement>;

  constructor() {
    this.names = new Map();
  }

  get size(): number {
    return this.names.size;
  }

  get(key: string): GlobalStatement | undefined {
    return this.names.get(key);
  }

  set(key: string, statement: GlobalStatement): void {
    this.names.set(key, statement);
  }

  delete(key: string): boolean {
    return this.names.delete(key);
  }

  /** DEALLOCATE ALL / DISCARD ALL: this client's names only; other clients and servers keep theirs. */
  clear(): void {
    this.names.clear();
  }

  keys(): IterableIterator<string> {
    return this.names.keys();
  }
}
