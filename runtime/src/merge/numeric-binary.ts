// numeric's binary wire form (numeric_send / numeric_recv): int16 ndigits, int16 weight,
// uint16 sign, int16 dscale, then ndigits base-10000 digits.
import type { Decimal } from './decimal.js';

const POS = 0x0000;
const NEG = 0x4000;
const NAN = 0xc000;
const PINF = 0xd000;
const NINF = 0xf000;

export function readNumericBinary(buf: Buffer): Decimal {
  const ndigits = buf.readInt16BE(0);
  const weight = buf.readInt16BE(2);
  const sign = buf.readUInt16BE(4);
  const dscale = buf.readInt16BE(6);
  if (sign === NAN) return { kind: 'nan' };
  if (sign === PINF) return { kind: 'inf' };
  if (sign === NINF) return { kind: '-inf' };
  // value = sum(digit[i] * 10000^(weight - i)); scale it to dscale decimal places.
  let unscaled = 0n;
  for (let i = 0; i < ndigits; i++) unscaled = unscaled * 10000n + BigInt(buf.readInt16BE(8 + 2 * i));
  const exp10 = 4 * (weight - ndigits + 1) + dscale; // power of ten to multiply by
  if (exp10 >= 0) unscaled *= 10n ** BigInt(exp10);
  else unscaled /= 10n ** BigInt(-exp10); // digits below dscale are zero in numeric_send output
  return { kind: 'finite', unscaled: sign === NEG ? -unscaled : unscaled, scale: dscale };
}

export function writeNumericBinary(d: Decimal): Buffer {
  if (d.kind !== 'finite') {
    const b = Buffer.alloc(8);
    b.writeUInt16BE(d.kind === 'nan' ? NAN : d.kind === 'inf' ? PINF : NINF, 4);
    return b;
  }
  const negative = d.unscaled < 0n;
  let abs = negative ? -d.unscaled : d.unscaled;
  // Align the fraction to a multiple of 4 decimal places so digits fall on base-10000 groups.
  const padded = Math.ceil(d.scale / 4) * 4;
  abs *= 10n ** BigInt(padded - d.scale);
  const groups: number[] = [];
  while (abs > 0n) {
    groups.unshift(Number(abs % 10000n));
    abs /= 10000n;
  }
  let weight = groups.length - 1 - padded / 4;
  // Strip leading and trailing zero groups as numeric does.
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (groups.length === 0) weight = 0;
  const b = Buffer.alloc(8 + 2 * groups.length);
  b.writeInt16BE(groups.length, 0);
  b.writeInt16BE(weight, 2);
  b.writeUInt16BE(negative ? NEG : POS, 4);
  b.writeInt16BE(d.scale, 6);
  groups.forEach((g, i) => b.writeInt16BE(g, 8 + 2 * i));
  return b;
}
