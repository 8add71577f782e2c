import type { Seam } from '@kora/audit-sink';

/** The seams' names and export mappings as one text: two threads with equal texts map rows alike. */
export function digestSeams(seams: readonly Seam[]): string {
  return JSON.stringify(seams.map((seam) => [seam.name, seam.exportMapping ?? null]));
}
