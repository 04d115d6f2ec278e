// JSON pointer -> file position, falling back to the nearest ancestor that is written in the file
// (a value filled in by a default, or a missing key, has no position of its own).

import type { Located, Position, PositionMap } from './positions.js';
import { parentPointer } from './pointer.js';

export type Anchor = 'key' | 'value';

const START: Position = { line: 1, column: 1 };

export function locate(map: PositionMap, pointer: string, anchor: Anchor): Position {
  let p = pointer;
  let exact = true;
  for (;;) {
    const found: Located | undefined = map.get(p);
    // An ancestor stands in for something that is not written, so point at where the
    // ancestor's content starts (its table header or value), not at its key.
    if (found) return exact ? found[anchor] : found.value;
    if (p === '') return START;
    p = parentPointer(p);
    exact = false;
  }
}
