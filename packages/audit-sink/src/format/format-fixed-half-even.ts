/**
 * Python's `'%.<digits>f' % value`: the exact binary value of the double rounded half-to-even
 * to `digits` decimals. JavaScript's `toFixed` differs on exact ties (`0.125` → `0.13`, where
 * Python writes `0.12`); this decomposes the double and rounds with BigInt arithmetic, so
 * every output matches CPython (`2.675` → `2.67`, since the double is just below 2.675).
 * `nan`, `inf` and `-inf` as Python; the sign of a negative value that rounds to zero is kept
 * (`-0.0001` → `-0.000`).
 *
 * @throws RangeError when `digits` is not an integer in [0, 1000] (a bug at the call site).
 */
export function formatFixedHalfEven(value: number, digits: number): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 1000) {
    throw new RangeError(`formatFixedHalfEven: digits must be an integer in [0, 1000], got ${String(digits)}`);
  }
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';

  const { negative, mantissa, exponent } = decompose(value);
  const scale = 10n ** BigInt(digits);
  let scaled: bigint;
  if (exponent >= 0) {
    scaled = (mantissa << BigInt(exponent)) * scale;
  } else {
    // value = mantissa / 2^-exponent exactly; round mantissa * 10^digits / 2^-exponent.
    const numerator = mantissa * scale;
    const denominator = 1n << BigInt(-exponent);
    scaled = numerator / denominator;
    const twiceRemainder = (numerator % denominator) * 2n;
    if (twiceRemainder > denominator || (twiceRemainder === denominator && scaled % 2n === 1n)) scaled += 1n;
  }

  const text = scaled.toString().padStart(digits + 1, '0');
  const integerPart = text.slice(0, text.length - digits);
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${negative ? '-' : ''}${integerPart}${fraction}`;
}

/** The double as sign, integer mantissa and binary exponent: |value| = mantissa * 2^exponent. */
function decompose(value: number): { negative: boolean; mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biasedExponent === 0) return { negative, mantissa: fraction, exponent: -1074 };
  return { negative, mantissa: fraction | (1n << 52n), exponent: biasedExponent - 1075 };
}
