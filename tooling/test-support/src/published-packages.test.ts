import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepositoryRoot } from './find-repository-root.js';

// What a service team installing a package from its tarball relies on, checked on every
// package under packages/ that is not private. `scripts/pack-smoke.sh` checks the packed
// tarballs themselves; this catches the same mistakes in the manifests before any build.

interface Manifest {
  readonly name: string;
  readonly private?: boolean;
  readonly license?: string;
  readonly repository?: { readonly url?: string; readonly directory?: string };
  readonly homepage?: string;
  readonly bugs?: { readonly url?: string };
  readonly engines?: Record<string, string>;
  readonly files?: readonly string[];
  readonly exports?: Record<string, unknown>;
  readonly publishConfig?: { readonly access?: string; readonly provenance?: boolean; readonly exports?: Record<string, unknown> };
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const root = findRepositoryRoot(import.meta.dirname);
const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');
const published = readdirSync(join(root, 'packages'))
  .map((name) => ({ dir: `packages/${name}`, file: join(root, 'packages', name, 'package.json') }))
  .filter(({ file }) => existsSync(file))
  .map(({ dir, file }) => ({ dir, manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest }))
  .filter(({ manifest }) => manifest.private !== true);

/** Whether any non-test source file of the package imports `specifier`. */
function importsFromSource(dir: string, specifier: string): boolean {
  const walk = (path: string): boolean =>
    readdirSync(path, { withFileTypes: true }).some((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return !entry.name.startsWith('__') && walk(child);
      return entry.name.endsWith('.ts') && !entry.name.includes('.test.') && readFileSync(child, 'utf8').includes(`from '${specifier}'`);
    });
  return walk(join(root, dir, 'src'));
}

describe('the published packages', () => {
  it('are found', () => {
    expect(published.map(({ manifest }) => manifest.name)).toContain('@kora/audit-sink');
  });

  it('the root LICENSE is the Apache License 2.0 with the project named', () => {
    expect(rootLicense).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(rootLicense).toContain('Copyright 2026 The kora-audit Authors');
    expect(rootLicense).not.toContain('{yyyy}');
  });

  describe.each(published)('$manifest.name', ({ dir, manifest }) => {
    it('holds a LICENSE identical to the root one', () => {
      expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8')).toBe(rootLicense);
    });

    it('names its license, repository directory, homepage, issues and Node engine', () => {
      expect(manifest.license).toBe('Apache-2.0');
      expect(manifest.repository).toMatchObject({ url: 'git+https://github.com/kora-labs/kora-audit.git', directory: dir });
      expect(manifest.homepage).toBe(`https://github.com/kora-labs/kora-audit/tree/main/${dir}#readme`);
      expect(manifest.bugs?.url).toBe('https://github.com/kora-labs/kora-audit/issues');
      expect(manifest.engines).toEqual({ node: '>=20.19' });
    });

    it('publishes publicly with provenance, its exports without the workspace source condition', () => {
      expect(manifest.publishConfig).toMatchObject({ access: 'public', provenance: true });
      const published = manifest.publishConfig?.exports ?? {};
      expect(Object.keys(published)).toEqual(Object.keys(manifest.exports ?? {}));
      expect(JSON.stringify(published)).not.toContain('@kora/source');
      for (const [entry, conditions] of Object.entries(manifest.exports ?? {})) {
        const rest = Object.fromEntries(
          Object.entries(conditions as Record<string, string>).filter(([condition]) => condition !== '@kora/source'),
        );
        expect(published[entry], entry).toEqual(rest);
      }
    });

    it('ships only its build (and the export, the OCSF JSON Schema it validates with)', () => {
      expect(manifest.files).toEqual(manifest.name === '@kora/audit-export' ? ['dist', 'ocsf'] : ['dist']);
    });

    it('takes zod as a peer where its code imports zod, so a service holds one copy', () => {
      if (manifest.name === '@kora/audit-cli') return; // a command, not a library: it brings its own
      if (!importsFromSource(dir, 'zod')) {
        expect(manifest.peerDependencies?.zod).toBeUndefined();
        return;
      }
      expect(manifest.dependencies?.zod).toBeUndefined();
      expect(manifest.peerDependencies?.zod).toBe('^4.0.0');
      expect(manifest.devDependencies?.zod).toBe('catalog:');
    });
  });
});
