const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/**
 * A length of time for a person to read at a glance: its two largest units (`5h 1m`, `2d 3h`,
 * `45s`), or milliseconds under a second (`850ms`). Truncated, never rounded up, so a host
 * shown as `59s` behind is not yet a minute behind. Negative (a clock running ahead) keeps its
 * `-` sign.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.trunc(Math.abs(ms));
  if (rest < 1_000) return `${sign}${rest}ms`;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) break;
    const count = Math.floor(rest / size);
    rest -= count * size;
    // Once a larger unit is shown, the next one is shown even when zero (`2h 0m`), so the
    // reader knows the precision.
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  return `${sign}${parts.join(' ')}`;
}
