import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import parseChangesetFile from '@changesets/parse';

/** The changesets under `.changeset/` that release `packageName`, by file name, sorted. */
export function findChangesetsFor(root: string, packageName: string): string[] {
  const directory = join(root, '.changeset');
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.md') && name !== 'README.md');
  } catch {
    return [];
  }
  return names
    .filter((name) => {
      try {
        return parseChangesetFile(readFileSync(join(directory, name), 'utf8')).releases.some((release) => release.name === packageName);
      } catch {
        // A changeset changesets itself cannot parse carries nothing.
        return false;
      }
    })
    .sort()
    .map((name) => `.changeset/${name}`);
}
