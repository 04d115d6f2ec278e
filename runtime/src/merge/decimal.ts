// Exact decimals for numeric partials: parse PostgreSQL's numeric text, add, compare, and divide
// with numeric_div's result scale (select_div_scale), which is what avg() of integer and numeric
// columns returns. Special values (NaN, +-Infinity) follow numeric's rules: NaN is equal to itself
// and greater than everything.

export type Decimal =
  | { readonly kind: 'finite'; readonly unscaled: bigint; readonly scale: number }
  | { readonly kind: 'nan' | 'inf' | '-inf' };

export const DECIMAL_ZERO: Decimal = { kind: 'finite', unscaled: 0n, scale: 0 };

export function parseDecimal(text: string): Decimal | null {
  if (text === 'NaN') return { kind: 'nan' };
  if (text === 'Infinity') return { kind: 'inf' };
  if (text === '-Infinity') return { kind: '-inf' };
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  const unscaled = BigInt((m[2] || '0') + frac);
  return { kind: 'finite', unscaled: m[1] === '-' ? -unscaled : unscaled, scale: frac.length };
}

const TEN = 10n;

function rescale(d: { unscaled: bigint; scale: number }, scale: number): bigint {
  return d.unscaled * TEN ** BigInt(scale - d.scale);
}

const RANK = { '-inf': 0, finite: 1, inf: 2, nan: 3 } as const;

export function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(RANK[a.kind] - RANK[b.kind]);
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sum with the larger display scale, as numeric_add keeps it. */
export function addDecimal(a: Decimal, b: Decimal): Decimal {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  if (a.kind !== 'finite' || b.kind !== 'finite') {
    if (a.kind !== 'finite' && b.kind !== 'finite' && a.kind !== b.kind) return { kind: 'nan' };
    return a.kind !== 'finite' ? a : b;
  }
  const scale = Math.max(a.scale, b.scale);
  return { kind: 'finite', unscaled: rescale(a, scale) + rescale(b, scale), scale };
}

export function formatDecimal(d: Decimal): string {
  if (d.kind !== 'finite') return d.kind === 'nan' ? 'NaN' : d.kind === 'inf' ? 'Infinity' : '-Infinity';
  const neg = d.unscaled < 0n;
  const digits = (neg ? -d.unscaled : d.unscaled).toString().padStart(d.scale + 1, '0');
  const int = digits.slice(0, digits.length - d.scale);
  const body = d.scale > 0 ? `${int}.${digits.slice(digits.length - d.scale)}` : int;
  return neg ? `-${body}` : body;
}

/** The same value without trailing fractional zeros: equal numerics get equal keys. */
export function decimalKey(d: Decimal): string {
  if (d.kind !== 'finite') return d.kind;
  let { unscaled, scale } = d;
  while (scale > 0 && unscaled % TEN === 0n) {
    unscaled /= TEN;
    scale--;
  }
  return `${unscaled}e-${scale}`;
}

/** Base-10000 weight and first digit of |d| (numeric's internal form), zero for zero. */
function weightAndFirstDigit(d: { unscaled: bigint; scale: number }): [number, number] {
  if (d.unscaled === 0n) return [0, 0];
  const digits = (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString();
  const exponent = digits.length - d.scale - 1; // decimal exponent of the leading digit
  const weight = Math.floor(exponent / 4);
  const width = exponent - 4 * weight + 1;
  return [weight, Number(digits.slice(0, width).padEnd(width, '0'))];
}

/** numeric_div(sum, count) rounded at select_div_scale's scale: avg() over int / numeric. */
export function divideForAverage(sum: Decimal, count: bigint): Decimal {
  if (sum.kind !== 'finite') return sum;
  const [w1, f1] = weightAndFirstDigit(sum);
  const [w2, f2] = weightAndFirstDigit({ unscaled: count, scale: 0 });
  let qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  // NUMERIC_MIN_SIG_DIGITS = 16, DEC_DIGITS = 4, display scale clamped to [0, 1000].
  const rscale = Math.min(Math.max(16 - qweight * 4, sum.scale, 0), 1000);
  const negative = sum.unscaled < 0n;
  const numerator = (negative ? -sum.unscaled : sum.unscaled) * TEN ** BigInt(rscale - sum.scale);
  let q = numerator / count;
  if ((numerator % count) * 2n >= count) q++;
  return { kind: 'finite', unscaled: negative ? -q : q, scale: rscale };
}
