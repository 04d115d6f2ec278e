// Extended-protocol frames as a client sends them, for the batch planners' unit tests. Each call
// returns a copy: pg-protocol's serializer reuses one buffer.
import { serialize } from 'pg-protocol';

const own = (b: Buffer): Buffer => Buffer.from(b);

export const parse = (name: string, text: string, types: number[] = []): Buffer => own(serialize.parse({ name, text, types }));
export const bind = (statement: string, values: (string | null)[] = [], portal = ''): Buffer => own(serialize.bind({ portal, statement, values }));
export const execute = (portal = '', rows = 0): Buffer => own(serialize.execute({ portal, rows }));
export const describeS = (name: string): Buffer => own(serialize.describe({ type: 'S', name }));
export const describeP = (name = ''): Buffer => own(serialize.describe({ type: 'P', name }));
export const close = (type: 'S' | 'P', name: string): Buffer => own(serialize.close({ type, name }));
export const SYNC = own(serialize.sync());
export const FLUSH = own(serialize.flush());
