// float4out / float8out with PostgreSQL's default extra_float_digits = 1: the shortest digits
// that read back as the same value, in fixed notation for decimal exponents in [-4, 15) (float8)
// or [-4, 6) (float4), otherwise d.ddde+XX with at least two exponent digits.

export function formatFloat8(x: number): string {
  return format(x, shortestDigits(x), 15);
}

export function formatFloat4(x: number): string {
  if (!Number.isFinite(x) || x === 0) return format(x, shortestDigits(x), 6);
  for (let p = 1; p <= 9; p++) {
    const candidate = x.toExponential(p - 1);
    if (Math.fround(Number(candidate)) === x) return format(x, parseExponential(candidate), 6);
  }
  return format(x, shortestDigits(x), 6);
}

function shortestDigits(x: number): [string, number] {
  return parseExponential(x.toExponential());
}

/** "1.25e+3" -> ["125", 3] (digits without sign, decimal exponent of the first digit). */
function parseExponential(s: string): [string, number] {
  const e = s.indexOf('e');
  const mantissa = s.slice(0, e).replace('-', '').replace('.', '');
  return [mantissa.replace(/0+$/, '') || '0', Number(s.slice(e + 1))];
}

function format(x: number, [digits, exp]: [string, number], fixedBelow: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0`;
  if (exp >= -4 && exp < fixedBelow) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return frac === '' ? `${sign}${int}` : `${sign}${int}.${frac}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e}`;
}
