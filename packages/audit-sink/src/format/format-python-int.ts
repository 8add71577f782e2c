import { formatPythonStr } from './format-python-str.js';

/**
 * Python's `'%d' % value`: integers and bigints in decimal (never in exponent form, however
 * large), other finite numbers truncated toward zero as Python's `int()` does (`-3.9` → `-3`,
 * `-0.5` → `0`).
 *
 * Total, unlike Python (which raises): infinities, NaN and anything that is not a number or
 * bigint are written with {@link formatPythonStr}, so `inf`, `nan`, `None`, `True` and escaped
 * text show the odd input instead of hiding it.
 */
export function formatPythonInt(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value)).toString();
  return formatPythonStr(value);
}
