import { readFileSync } from 'node:fs';

// What an `audit.opened` row records when the package's own manifest cannot be read (a bundle).
const UNKNOWN_VERSION = 'unknown';
let version: string | undefined;

/**
 * The version of `@kora/audit-sink` running, from its package.json (read once, beside `src/`
 * or `dist/`), or `unknown` where a bundler left the manifest behind.
 */
export function readSinkVersion(): string {
  if (version !== undefined) return version;
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    version =
      manifest.name === '@kora/audit-sink' && typeof manifest.version === 'string' && /^[0-9A-Za-z.+-]{1,64}$/.test(manifest.version)
        ? manifest.version
        : UNKNOWN_VERSION;
  } catch {
    version = UNKNOWN_VERSION;
  }
  return version;
}
