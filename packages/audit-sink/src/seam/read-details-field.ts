/**
 * One field of a seam's details, for its `formatLine`, which must print a line whatever it is
 * given: `undefined` when there are no details, and `<unreadable>` when reading the field
 * throws (a hostile getter or a revoked proxy) instead of breaking the line.
 */
export function readDetailsField(details: Readonly<Record<string, unknown>> | null | undefined, key: string): unknown {
  try {
    return details?.[key];
  } catch {
    // A throwing getter must not break a line that is meant to be total.
    return '<unreadable>';
  }
}
