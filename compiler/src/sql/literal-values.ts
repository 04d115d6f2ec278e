// Constant values as the router sees them. Both the parser path (A_Const nodes) and the plan
// cache (literal tokens re-read from new query text) build values through these functions, so
// a cached result is byte-for-byte the value a fresh parse would give.
import type { A_Const, TypeName } from 'libpg-query';
import type { LiteralType, LiteralValue } from './types.js';
import { Ch, isDigit } from './sql-scan.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_SYNTAX = /^(?:\d+|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)$/;

/** Classifies a numeric literal's text (optionally with a leading `-`), as written or as
 *  libpg-query stores it in `fval`. */
export function numberValue(raw: string): { type: LiteralType; text: string } {
  // Fast path: short decimal integers (the common sharding key) skip the regex and BigInt.
  if (raw.length <= 15) {
    let plain = true;
    for (let i = raw.charCodeAt(0) === Ch.Minus ? 1 : 0; i < raw.length; i++) {
      if (!isDigit(raw.charCodeAt(i))) { plain = false; break; }
    }
    if (plain && raw !== '-' && raw.length > 0) return { type: 'int', text: String(Number(raw)) };
  }
  const negative = raw.charCodeAt(0) === Ch.Minus;
  let body = negative ? raw.slice(1) : raw;
  if (body.includes('_')) body = body.replaceAll('_', '');
  if (INTEGER_SYNTAX.test(body)) {
    let n = BigInt(body);
    if (negative) n = -n;
    return { type: n >= INT64_MIN && n <= INT64_MAX ? 'int' : 'numeric', text: n.toString() };
  }
  return { type: 'numeric', text: negative ? `-${body}` : body };
}

/** A_Const -> value; null for NULL. `offset` is the char offset of the constant's token or
 *  null when it came from a keyword (the caller decides, see `literalOffset`). */
export function constValue(c: A_Const, offset: number | null): LiteralValue | null {
  if (c.isnull) return null;
  if (c.ival !== undefined) return literal('int', String(c.ival.ival ?? 0), offset);
  if (c.fval !== undefined) {
    const v = numberValue(c.fval.fval ?? '0');
    return literal(v.type, v.text, offset);
  }
  if (c.sval !== undefined) return literal('string', c.sval.sval ?? '', offset);
  if (c.bsval !== undefined) return literal('bitstring', c.bsval.bsval ?? '', offset);
  if (c.boolval !== undefined) return literal('bool', String(c.boolval.boolval ?? false), null);
  return null;
}

export function literal(type: LiteralType, text: string, offset: number | null): LiteralValue {
  return { kind: 'literal', type, text, offset };
}

/** Where a constant starts decides whether it came from a literal token (a value the plan
 *  cache must re-read from each query) or from a keyword/identifier (fixed by the query's
 *  shape). Returns the offset for the former, null for the latter. */
export function literalOffset(text: string, offset: number): number | null {
  const c = text.charCodeAt(offset);
  if (c === Ch.DoubleQuote) return null;
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === Ch.Underscore || c >= 0x80) {
    // E'..', B'..', X'..', U&'..' start with a letter but are literals.
    const next = text.charCodeAt(offset + 1);
    if (next === Ch.Quote) return offset;
    if ((c === 85 || c === 117) && next === Ch.Ampersand && text.charCodeAt(offset + 2) === Ch.Quote) {
      return offset;
    }
    return null;
  }
  return offset;
}

/** Type name as a short string: `int8`, `uuid`, `myschema.mytype`, `int4[]`. */
export function typeNameText(t: TypeName | undefined): string | null {
  if (!t?.names) return null;
  const parts: string[] = [];
  for (const n of t.names) {
    if ('String' in n) parts.push(n.String.sval ?? '');
  }
  if (parts.length > 1 && parts[0] === 'pg_catalog') parts.shift();
  let name = parts.join('.');
  if (t.arrayBounds) name += '[]'.repeat(t.arrayBounds.length);
  return name;
}
