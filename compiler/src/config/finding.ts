// A diagnostic before it has a position: checks name a JSON pointer, and positions are looked up
// once at the end, only if there is something to report.

import type { CodeParams, ConfigCode, ConfigFileKind } from '../errors.js';
import type { Anchor } from './locate.js';
import type { Position } from './positions.js';

export interface Finding<C extends ConfigCode = ConfigCode> {
  file: ConfigFileKind;
  pointer: string;
  /** Point at the key (unknown key, duplicate) or at the value (wrong type, bad reference). */
  anchor: Anchor;
  code: C;
  params: CodeParams<C>;
  hint?: string;
  /** Set when the position is already known (syntax and encoding errors). */
  position?: Position;
  /** An earlier entry this one clashes with; its line is passed to the message as `relatedLine`. */
  related?: string;
  /** The problem is at this offset inside the (decoded) string value at `pointer`. */
  inner?: number;
}

export function finding<C extends ConfigCode>(
  file: ConfigFileKind,
  pointer: string,
  anchor: Anchor,
  code: C,
  params: CodeParams<C>,
  hint?: string,
): Finding<C> {
  const f: Finding<C> = { file, pointer, anchor, code, params };
  if (hint !== undefined) f.hint = hint;
  return f;
}

/** A finding about a clash with an earlier entry (same file), whose line the message names. */
export function clash<C extends ConfigCode>(
  file: ConfigFileKind,
  pointer: string,
  anchor: Anchor,
  code: C,
  params: CodeParams<C>,
  related: string,
): Finding<C> {
  return { file, pointer, anchor, code, params, related };
}
