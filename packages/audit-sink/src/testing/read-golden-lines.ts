import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A line vector from `shared/spec/golden-lines.jsonl`. */
export interface GoldenLine {
  readonly seam: string;
  readonly level: 'info' | 'warn';
  readonly details: Record<string, unknown>;
  readonly caller_session_id: string | null;
  readonly line: string;
}

/** A header-summary vector from `shared/spec/golden-lines.jsonl`. */
export interface GoldenHeaders {
  readonly kind: 'headers';
  readonly raw: readonly [string, string][];
  readonly summary: Record<string, string>;
}

/** The repository root: the nearest directory above `from` holding `pnpm-workspace.yaml`. */
export function findRepositoryRoot(from: string = process.cwd()): string {
  let directory = resolve(from);
  for (;;) {
    if (existsSync(join(directory, 'pnpm-workspace.yaml'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    directory = parent;
  }
}

/** The golden vectors file, `../shared/spec/golden-lines.jsonl` beside the repository root. */
export function goldenLinesPath(from?: string): string {
  return join(findRepositoryRoot(from), '..', 'shared', 'spec', 'golden-lines.jsonl');
}

function readVectors(path: string): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** The line vectors, optionally of one seam. */
export function readGoldenLines(seam?: string, path: string = goldenLinesPath()): GoldenLine[] {
  return readVectors(path).filter(
    (row): row is GoldenLine =>
      typeof row === 'object' && row !== null && 'line' in row && (seam === undefined || (row as GoldenLine).seam === seam),
  );
}

/** The header-summary vectors. */
export function readGoldenHeaders(path: string = goldenLinesPath()): GoldenHeaders[] {
  return readVectors(path).filter(
    (row): row is GoldenHeaders => typeof row === 'object' && row !== null && (row as GoldenHeaders).kind === 'headers',
  );
}
