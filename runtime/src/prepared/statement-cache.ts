// The process-wide cache of named statements: one entry per (query text, parameter type OIDs),
// each with pgdog's own server-side name and the Parse frame for that name, encoded once.

import { FrontendCode } from '../protocol/codes.js';
import { MessageWriter } from '../protocol/writer.js';

/** Prefix of every server-side statement name pgdog creates; client names never reach servers. */
export const SERVER_NAME_PREFIX = '__pgdog_';

export interface GlobalStatement {
  /** Small integer, unique for the process; the server-side name is derived from it. */
  readonly id: number;
  /** `__pgdog_<id>`. */
  readonly name: string;
  readonly query: string;
  readonly parameterTypes: readonly number[];
  /** Parse('__pgdog_<id>', query, types): shared, never written into; handed to sockets as is. */
  readonly parseFrame: Buffer;
  /** Describe of the statement, shared like parseFrame. */
  readonly describeFrame: Buffer;
  /** The name as a C string (NUL included), spliced into each Bind that uses it. */
  readonly nameBytes: Buffer;
}

const writer = new MessageWriter(1024);

function encodeParse(name: string, query: string, types: readonly number[]): Buffer {
  writer.begin(FrontendCode.Parse).cstring(name).cstring(query).int16(types.length);
  for (let i = 0; i < types.length; i++) writer.uint32(types[i]);
  writer.end();
  // Kept for the cache's lifetime, so it gets its own memory rather than a slice of a shared chunk.
  return Buffer.from(writer.take());
}

function encodeDescribe(name: string): Buffer {
  writer.begin(FrontendCode.Describe).byte(0x53).cstring(name).end();
  return Buffer.from(writer.take());
}

/** NUL cannot occur in a query text or a type list, so it separates them unambiguously. */
function cacheKey(query: string, types: readonly number[]): string {
  return types.length === 0 ? query : `${query}\0${types.join(',')}`;
}

/**
 * Entries are never dropped: clients of the same application prepare the same few statements
 * again and again, and a kept entry means a server that already has it needs no new Parse.
 * Server-side copies are bounded per connection by prepared_statements_limit instead.
 */
export class StatementCache {
  private readonly byKey: Map<string, GlobalStatement>;
  private nextId: number;

  constructor() {
    this.byKey = new Map();
    this.nextId = 1;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The entry for this text and type list, created on first use. */
  intern(query: string, parameterTypes: readonly number[]): GlobalStatement {
    const key = cacheKey(query, parameterTypes);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const id = this.nextId++;
      const name = SERVER_NAME_PREFIX + id;
      const types = Object.freeze(parameterTypes.slice());
      entry = Object.freeze({
        id, name, query, parameterTypes: types,
        parseFrame: encodeParse(name, query, types),
        describeFrame: encodeDescribe(name),
        nameBytes: Buffer.from(`${name}\0`, 'latin1'),
      });
      this.byKey.set(key, entry);
    }
    return entry;
  }

  /** For `SHOW PREPARED`. */
  entries(): IterableIterator<GlobalStatement> {
    return this.byKey.values();
  }
}
