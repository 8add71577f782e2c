// Check the packed tarballs of the published packages, as npm would unpack them: each holds a
// LICENSE identical to the repository's, no test, fixture, bench, script or build-step file, no
// export condition or `workspace:` range that only this workspace understands, and no source
// map whose sources are neither in the tarball nor embedded. Prints one line per failed check
// and `N passed, N failed` for the tarballs; exits 1 when any check failed.
// Usage: node check-tarballs.mjs LICENSE-FILE TARBALL...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix, relative } from 'node:path';

const [licensePath, ...tarballs] = process.argv.slice(2);
if (licensePath === undefined || tarballs.length === 0) {
  console.error('usage: check-tarballs.mjs LICENSE-FILE TARBALL...');
  process.exit(2);
}
const license = readFileSync(licensePath, 'utf8');
// Paths no published package may hold: tests, fixtures, benches, maintenance scripts, build steps.
const FORBIDDEN = [
  /(^|\/)__(fixtures|bench|scripts|build)__(\/|$)/,
  /\.test\.[cm]?[jt]sx?$/,
  /\.test\.d\.[cm]?ts$/,
  /(^|\/)vitest\.config\./,
];

let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed += 1;
  else {
    failed += 1;
    console.log(`FAILED ${what}`);
  }
};

for (const tarball of tarballs) {
  const name = basename(tarball);
  const dir = mkdtempSync(join(tmpdir(), 'kora-tarball-'));
  try {
    execFileSync('tar', ['xzf', tarball, '-C', dir]);
    const root = join(dir, 'package');
    const files = listFiles(root).map((file) => relative(root, file).split('\\').join('/'));
    const present = new Set(files);

    let licenseText = null;
    try {
      licenseText = readFileSync(join(root, 'LICENSE'), 'utf8');
    } catch {
      // Reported just below.
    }
    check(licenseText !== null, `${name}: holds a LICENSE`);
    if (licenseText !== null) check(licenseText === license, `${name}: its LICENSE is the repository's`);

    const forbidden = files.filter((file) => FORBIDDEN.some((pattern) => pattern.test(file)));
    check(
      forbidden.length === 0,
      `${name}: holds no test, fixture, bench, script or build-step file (${forbidden.slice(0, 5).join(', ')})`,
    );

    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const exportsText = JSON.stringify(manifest.exports ?? {});
    check(!exportsText.includes('@kora/source'), `${name}: its exports name no @kora/source condition`);
    const targets = exportTargets(manifest.exports).filter((target) => !present.has(posix.normalize(target)));
    check(targets.length === 0, `${name}: every export target is in the tarball (${targets.join(', ')})`);
    const bins = Object.values(typeof manifest.bin === 'string' ? { bin: manifest.bin } : (manifest.bin ?? {})).filter(
      (target) => !present.has(posix.normalize(target)),
    );
    check(bins.length === 0, `${name}: every bin is in the tarball (${bins.join(', ')})`);
    const ranges = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
      Object.entries(manifest[field] ?? {})
        .filter(([, range]) => /^(workspace|catalog|link|file):/.test(range))
        .map(([dep]) => dep),
    );
    check(ranges.length === 0, `${name}: every dependency has a registry range (${ranges.join(', ')})`);
    check(manifest.license === 'Apache-2.0', `${name}: license is Apache-2.0`);
    check(
      manifest.repository?.directory !== undefined && manifest.engines?.node !== undefined,
      `${name}: names its repository directory and Node engine`,
    );

    const unresolved = files
      .filter((file) => file.endsWith('.map'))
      .flatMap((file) => {
        const map = JSON.parse(readFileSync(join(root, file), 'utf8'));
        return (map.sources ?? [])
          .map((source, index) => ({ source, embedded: typeof map.sourcesContent?.[index] === 'string' }))
          .filter(
            ({ source, embedded }) =>
              !embedded && !present.has(posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source))),
          )
          .map(({ source }) => `${file} -> ${source}`);
      });
    check(unresolved.length === 0, `${name}: every source map's sources are embedded or shipped (${unresolved.slice(0, 3).join(', ')})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

function listFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Every file an `exports` map points at (patterns aside). */
function exportTargets(exports) {
  if (typeof exports === 'string') return exports.includes('*') ? [] : [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}
