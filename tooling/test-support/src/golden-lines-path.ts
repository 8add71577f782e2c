import { join } from 'node:path';
import { findRepositoryRoot } from './find-repository-root.js';

/** The golden vectors file, `../shared/spec/golden-lines.jsonl` beside the repository root. */
export function goldenLinesPath(from?: string): string {
  return join(findRepositoryRoot(from), '..', 'shared', 'spec', 'golden-lines.jsonl');
}
