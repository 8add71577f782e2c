import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@kora/audit-cli';

/**
 * This package's version, from its own package.json: the nearest one named `@kora/audit-cli`
 * above `from` (this module's URL by default). The module sits at a different depth in the
 * sources (`src/`), the compiled library (`dist/`) and the bundled executable (`dist/cli/`),
 * installed or not, so the file is looked for upwards rather than at one relative path.
 */
export function readPackageVersion(from: string = import.meta.url): string {
  let directory = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = readManifest(join(directory, 'package.json'));
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json of ${PACKAGE_NAME} above ${fileURLToPath(from)}`);
    directory = parent;
  }
}

function readManifest(path: string): { name?: unknown; version?: unknown } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    // No package.json here, or one that is not JSON: look further up.
    return undefined;
  }
}
