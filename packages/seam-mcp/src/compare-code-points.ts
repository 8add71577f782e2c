/**
 * Order two strings by Unicode code point, as Python's `sorted()` does. JavaScript's default
 * sort compares UTF-16 code units, which puts U+E000–U+FFFF after astral characters; remapping
 * the first differing unit fixes that (surrogates up, U+E000–U+FFFF down).
 */
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const leftUnit = left.charCodeAt(index);
    const rightUnit = right.charCodeAt(index);
    if (leftUnit !== rightUnit) return codePointRank(leftUnit) - codePointRank(rightUnit);
  }
  return left.length - right.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
