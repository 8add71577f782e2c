import { readFileSync } from 'node:fs';

/** A line vector from a golden vectors file. */
export interface GoldenLine {
  readonly seam: string;
  readonly level: 'info' | 'warn';
  readonly details: Record<string, unknown>;
  readonly caller_session_id: string | null;
  readonly line: string;
}

/** A header-summary vector from a golden vectors file. */
export interface GoldenHeaders {
  readonly kind: 'headers';
  readonly raw: readonly [string, string][];
  readonly summary: Record<string, string>;
}

function readVectors(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** The line vectors of the golden vectors file at `path` (JSONL), optionally of one seam. */
export function readGoldenLines(path: string, seam?: string): GoldenLine[] {
  return readVectors(path).filter(
    (row): row is GoldenLine =>
      typeof row === 'object' && row !== null && 'line' in row && (seam === undefined || (row as GoldenLine).seam === seam),
  );
}

/** The header-summary vectors of the golden vectors file at `path` (JSONL). */
export function readGoldenHeaders(path: string): GoldenHeaders[] {
  return readVectors(path).filter(
    (row): row is GoldenHeaders => typeof row === 'object' && row !== null && (row as GoldenHeaders).kind === 'headers',
  );
}
